"use client";

import { useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { useTRPC } from "../trpc";

/** What every lifecycle request does when it is accepted: say so, and refresh the cluster and the list. */
export function useAcceptedChange(clusterId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return (message: string) => {
    toast.success(message);
    void queryClient.invalidateQueries({ queryKey: trpc.vcluster.get.queryKey({ id: clusterId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.vcluster.list.queryKey() });
  };
}
