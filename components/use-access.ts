"use client";

import { useQuery } from "@tanstack/react-query";
import type { Role } from "./cluster-types";
import { useTRPC } from "./trpc";

/**
 * What the signed-in user may do, so pages offer only the buttons that would succeed: platform admins act as
 * owners everywhere, VIEWERs change nothing. The server checks again on every call.
 */
export function useAccess() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions(undefined, { staleTime: 60_000 }));
  const roleIn = (projectId: string): Role | null => {
    if (!me.data) return null;
    if (me.data.isPlatformAdmin) return "OWNER";
    return me.data.memberships.find((m) => m.projectId === projectId)?.role ?? null;
  };
  return {
    loaded: me.isSuccess,
    isAdmin: me.data?.isPlatformAdmin ?? false,
    roleIn,
    canChange: (projectId: string) => {
      const role = roleIn(projectId);
      return role === "OWNER" || role === "MEMBER";
    },
    isOwner: (projectId: string) => roleIn(projectId) === "OWNER",
  };
}
