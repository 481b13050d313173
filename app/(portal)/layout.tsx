import type { ReactNode } from "react";
import { NavBar } from "@/components/nav-bar";
import { PortalProviders } from "@/components/portal-providers";
import { ApiProvider } from "@/components/trpc";
import { requirePageUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser("/clusters");
  return (
    <ApiProvider>
      <PortalProviders>
        <NavBar email={user.email} isPlatformAdmin={user.isPlatformAdmin} />
        <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      </PortalProviders>
    </ApiProvider>
  );
}
