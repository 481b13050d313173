"use client";

import * as Menu from "@radix-ui/react-dropdown-menu";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { MoreHorizontal } from "lucide-react";
import Link from "next/link";
import { toast } from "sonner";
import { allowedActions } from "@/server/universal/state-machine";
import type { Action, ClusterRow } from "../cluster-types";
import { useTRPC } from "../trpc";
import { ACTION_LABELS } from "./cluster-actions-info";

/** Actions that need a form (a number, a name to type) open on the detail page with their dialog. */
const NEEDS_DIALOG: ReadonlySet<Action> = new Set(["scale", "update", "restore", "delete", "forceDelete"]);
const OFFERED: readonly Action[] = [
  "suspend",
  "resume",
  "recover",
  "snapshot",
  "scale",
  "update",
  "restore",
  "delete",
  "forceDelete",
];

const itemClass =
  "flex cursor-pointer items-center rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100 dark:data-[highlighted]:bg-slate-800";

/** The row's menu: only the transitions the cluster's phase allows. */
export function ClusterRowActions({ row }: { row: ClusterRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const done = (verb: string) => ({
    onSuccess: () => {
      toast.success(`${verb} ${row.name}`);
      void queryClient.invalidateQueries({ queryKey: trpc.vcluster.list.queryKey() });
    },
    onError: (error: { message: string }) => toast.error(error.message),
  });
  const suspend = useMutation(trpc.vcluster.suspend.mutationOptions(done("Suspending")));
  const resume = useMutation(trpc.vcluster.resume.mutationOptions(done("Resuming")));
  const recover = useMutation(trpc.vcluster.recover.mutationOptions(done("Recovering")));
  const snapshot = useMutation(trpc.vcluster.snapshot.mutationOptions(done("Taking a snapshot of")));
  const allowed = allowedActions(row.phase).filter((a) => OFFERED.includes(a));
  if (allowed.length === 0) return <span className="text-xs text-slate-400">busy</span>;

  const immediate: Partial<Record<Action, () => void>> = {
    suspend: () => suspend.mutate({ id: row.id, snapshotFirst: false }),
    resume: () => resume.mutate({ id: row.id }),
    recover: () => recover.mutate({ id: row.id }),
    snapshot: () => snapshot.mutate({ id: row.id }),
  };
  return (
    <Menu.Root>
      <Menu.Trigger
        aria-label={`Actions for ${row.name}`}
        className="rounded p-1 hover:bg-slate-100 dark:hover:bg-slate-800"
      >
        <MoreHorizontal className="size-4" />
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="end"
          sideOffset={4}
          className="z-50 min-w-40 rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          {allowed.map((action) =>
            NEEDS_DIALOG.has(action) ? (
              <Menu.Item key={action} asChild className={itemClass}>
                <Link href={`/clusters/${row.id}?action=${action}`}>{ACTION_LABELS[action]}…</Link>
              </Menu.Item>
            ) : (
              <Menu.Item key={action} className={itemClass} onSelect={immediate[action]}>
                {ACTION_LABELS[action]}
              </Menu.Item>
            ),
          )}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
