"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc";

/** Refreshes every snapshot list (overall and per cluster) after a change. */
export function useSnapshotsChanged() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: trpc.snapshot.list.queryKey() });
}
