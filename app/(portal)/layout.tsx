import type { ReactNode } from "react";
import { NavBar } from "@/components/nav-bar";
import { PortalProviders } from "@/components/portal-providers";
import { ApiProvider } from "@/components/trpc";
import { UnavailableNotice } from "@/components/unavailable-notice";
import { isUnavailable, markUnavailable, RETRY_AFTER_S } from "@/server/api/outage-status";
import { requirePageUser, type PageUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  let user: PageUser;
  try {
    user = await requirePageUser("/clusters");
  } catch (error) {
    // without the database no page can say who is signed in; the pages below are not rendered at all
    if (!isUnavailable(error)) throw error;
    markUnavailable();
    return (
      <main className="mx-auto max-w-xl px-4 py-16">
        <UnavailableNotice retryAfterSeconds={RETRY_AFTER_S} />
      </main>
    );
  }
  return (
    <ApiProvider>
      <PortalProviders>
        <NavBar email={user.email} isPlatformAdmin={user.isPlatformAdmin} />
        <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      </PortalProviders>
    </ApiProvider>
  );
}
