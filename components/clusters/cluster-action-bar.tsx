"use client";

import { useMutation } from "@tanstack/react-query";
import { Camera, History, Pause, Pencil, Play, Scaling, Trash2, Wrench } from "lucide-react";
import { useState, type ReactNode } from "react";
import { toast } from "sonner";
import type { Action, ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button, type ButtonVariant } from "../ui/button";
import { Hint } from "../ui/hint";
import { ACTION_LABELS, whyNot } from "./cluster-actions-info";
import { DeleteDialog } from "./delete-dialog";
import { EditClusterDialog } from "./edit-cluster-dialog";
import { RestoreDialog } from "./restore-dialog";
import { ScaleDialog } from "./scale-dialog";
import { SuspendDialog } from "./suspend-dialog";
import { useAcceptedChange } from "./use-cluster-mutation";

type DialogAction = "suspend" | "scale" | "update" | "restore" | "delete" | "forceDelete";
const DIALOG_ACTIONS: readonly string[] = [
  "suspend",
  "scale",
  "update",
  "restore",
  "delete",
  "forceDelete",
] satisfies DialogAction[];

const BUTTONS: { action: Action; icon: ReactNode; variant?: ButtonVariant }[] = [
  { action: "suspend", icon: <Pause className="size-4" /> },
  { action: "resume", icon: <Play className="size-4" /> },
  { action: "scale", icon: <Scaling className="size-4" /> },
  { action: "update", icon: <Pencil className="size-4" /> },
  { action: "snapshot", icon: <Camera className="size-4" /> },
  { action: "restore", icon: <History className="size-4" /> },
  { action: "recover", icon: <Wrench className="size-4" /> },
  { action: "delete", icon: <Trash2 className="size-4" />, variant: "danger" },
  { action: "forceDelete", icon: <Trash2 className="size-4" />, variant: "danger" },
];

/** Every lifecycle action, each disabled with the reason when the cluster's phase does not allow it. */
export function ClusterActionBar({ cluster, initialAction }: { cluster: ClusterDetail; initialAction: string | null }) {
  const trpc = useTRPC();
  const accepted = useAcceptedChange(cluster.id);
  const [open, setOpen] = useState<DialogAction | null>(() =>
    initialAction && DIALOG_ACTIONS.includes(initialAction) && cluster.allowedActions.includes(initialAction as Action)
      ? (initialAction as DialogAction)
      : null,
  );
  const onError = (error: { message: string }) => toast.error(error.message);
  const resume = useMutation(
    trpc.vcluster.resume.mutationOptions({ onSuccess: () => accepted(`Resuming ${cluster.name}`), onError }),
  );
  const recover = useMutation(
    trpc.vcluster.recover.mutationOptions({ onSuccess: () => accepted(`Recovering ${cluster.name}`), onError }),
  );
  const snapshot = useMutation(
    trpc.vcluster.snapshot.mutationOptions({
      onSuccess: () => accepted(`Taking a snapshot of ${cluster.name}`),
      onError,
    }),
  );
  const run: Partial<Record<Action, () => void>> = {
    snapshot: () => snapshot.mutate({ id: cluster.id }),
    resume: () => resume.mutate({ id: cluster.id }),
    recover: () => recover.mutate({ id: cluster.id }),
  };
  const dialog = (name: DialogAction) => ({
    open: open === name,
    onOpenChange: (next: boolean) => setOpen(next ? name : null),
  });

  return (
    <div className="flex flex-wrap gap-2" data-testid="cluster-actions">
      {BUTTONS.filter(({ action }) => action !== "forceDelete" || cluster.phase === "ERROR").map(
        ({ action, icon, variant }) => {
          const reason = whyNot(action, cluster.phase, cluster.allowedActions);
          return (
            <Hint key={action} text={reason}>
              <Button
                variant={variant}
                disabled={reason !== null}
                onClick={() => (DIALOG_ACTIONS.includes(action) ? setOpen(action as DialogAction) : run[action]?.())}
              >
                {icon}
                {ACTION_LABELS[action]}
              </Button>
            </Hint>
          );
        },
      )}
      <SuspendDialog cluster={cluster} {...dialog("suspend")} />
      {open === "scale" && <ScaleDialog cluster={cluster} {...dialog("scale")} />}
      {open === "update" && <EditClusterDialog cluster={cluster} {...dialog("update")} />}
      {open === "restore" && <RestoreDialog cluster={cluster} {...dialog("restore")} />}
      {open === "delete" && <DeleteDialog cluster={cluster} force={false} {...dialog("delete")} />}
      {open === "forceDelete" && <DeleteDialog cluster={cluster} force {...dialog("forceDelete")} />}
    </div>
  );
}
