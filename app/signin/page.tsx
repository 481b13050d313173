import { SignInForm } from "@/components/sign-in-form";
import { safeCallbackPath } from "@/server/validation/callback-url";
import { oidcProviderName } from "@/server/auth/oidc-name";

export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  const { callbackUrl, error } = await searchParams;
  const safeCallback = safeCallbackPath(callbackUrl);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-xl font-semibold">Sign in to open-vcluster</h1>
        <p className="mb-6 text-sm text-slate-500">Virtual Kubernetes clusters, self-service.</p>
        <SignInForm callbackUrl={safeCallback} initialError={error ?? null} oidcName={oidcProviderName()} />
      </div>
    </main>
  );
}
