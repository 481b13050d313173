"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

const ERRORS: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  TooManySignIns: "Too many sign-in attempts. Wait a few minutes and try again.",
  OAuthSignin: "Single sign-on could not start. Try again.",
  OAuthCallback: "Single sign-on failed. Try again.",
  AccessDenied: "Your account may not sign in here.",
  OidcNoEmail: "Your identity provider sent no email address; the portal needs one.",
  OidcEmailNotVerified: "Your identity provider has not verified your email address, so single sign-on cannot use it.",
  OidcAccountExists:
    "An account with this email already exists here. Sign in with it, or ask an admin to link single sign-on to it.",
  OidcDisabled: "This account is disabled.",
};

export function SignInForm({
  callbackUrl,
  initialError,
  oidcName,
}: {
  callbackUrl: string;
  initialError: string | null;
  oidcName: string | null;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError ? (ERRORS[initialError] ?? "Sign-in failed.") : null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setBusy(false);
    if (!result || result.error) {
      setError(ERRORS[result?.error ?? ""] ?? ERRORS.CredentialsSignin);
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-4">
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Email</span>
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            className="w-full rounded-md border border-slate-300 bg-transparent px-3 py-2 dark:border-slate-700"
          />
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            className="w-full rounded-md border border-slate-300 bg-transparent px-3 py-2 dark:border-slate-700"
          />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-600">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={busy}
          className="w-full rounded-md bg-indigo-600 px-3 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
        >
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidcName && (
        <button
          type="button"
          onClick={() => signIn("oidc", { callbackUrl })}
          className="w-full rounded-md border border-slate-300 px-3 py-2 font-medium dark:border-slate-700"
        >
          Continue with {oidcName}
        </button>
      )}
    </div>
  );
}
