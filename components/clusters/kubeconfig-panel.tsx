"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Copy, Download, RotateCw } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Card } from "../ui/card";
import { Modal } from "../ui/modal";
import { DirectKubeconfig } from "./direct-kubeconfig";
import { KubeAccessList } from "./kube-access-list";

/**
 * The person's own kubeconfig: the portal's access gateway with a token of their own, for every role, revocable
 * and rotatable; the commands to use it; a reachability check; the last activity through the gateway.
 */
export function KubeconfigPanel({ cluster }: { cluster: ClusterDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const check = useMutation(trpc.vcluster.kubeconfig.mutationOptions());
  const [confirmRotate, setConfirmRotate] = useState(false);
  const rotate = useMutation(
    trpc.vcluster.rotateKubeconfig.mutationOptions({
      onSuccess: () => {
        setConfirmRotate(false);
        toast.success("Token rotated: download the kubeconfig again; the old file no longer works");
        void queryClient.invalidateQueries({ queryKey: trpc.vcluster.kubeAccess.queryKey({ id: cluster.id }) });
      },
    }),
  );
  const fileName = `${cluster.name}.kubeconfig.yaml`;
  const command = `kubectl --kubeconfig ${fileName} get namespaces`;
  const copy = () =>
    navigator.clipboard.writeText(command).then(
      () => toast.success("Command copied"),
      () => toast.error("Could not copy: select the command and copy it by hand"),
    );
  return (
    <Card title="Access">
      <div className="flex flex-wrap items-center gap-2">
        <a
          href={`/api/vclusters/${cluster.id}/kubeconfig`}
          download={fileName}
          data-testid="download-kubeconfig"
          className="inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
        >
          <Download className="size-4" /> Download kubeconfig
        </a>
        <Button onClick={() => check.mutate({ id: cluster.id })} disabled={check.isPending}>
          {check.isPending ? "Checking…" : "Check connection"}
        </Button>
        <Button onClick={() => setConfirmRotate(true)} data-testid="rotate-kubeconfig">
          <RotateCw className="size-4" /> Rotate token
        </Button>
      </div>
      <p className="mt-3 text-xs text-slate-500" data-testid="kubeconfig-explainer">
        The file reaches this cluster through the portal with a token of your own, on any host. Inside the cluster you
        act as yourself, with your project role: viewers read (no Secrets), members edit, owners administer. Leaving the
        project or rotating the token cuts it off at once.
      </p>
      <div className="mt-3 flex items-center gap-2 rounded-md bg-slate-100 px-3 py-2 font-mono text-xs dark:bg-slate-950">
        <div className="flex-1 overflow-x-auto whitespace-nowrap">
          <code className="block" data-testid="kubectl-command">
            {command}
          </code>
        </div>
        <button
          type="button"
          onClick={copy}
          aria-label="Copy command"
          className="rounded p-1 hover:bg-slate-200 dark:hover:bg-slate-800"
        >
          <Copy className="size-4" />
        </button>
      </div>
      <p className="mt-2 text-xs text-slate-500" data-testid="last-activity">
        Last activity through the portal:{" "}
        {cluster.lastActivityAt ? new Date(cluster.lastActivityAt).toLocaleString() : "none yet"}
      </p>
      {cluster.phase !== "RUNNING" && !check.data && (
        <p className="mt-2 text-xs text-slate-500">
          The virtual cluster&apos;s API answers only while the cluster is RUNNING; it is {cluster.phase} now.
        </p>
      )}
      {check.data &&
        (check.data.reachable ? (
          <p className="mt-2 flex items-center gap-1.5 text-sm text-emerald-700 dark:text-emerald-400">
            <CheckCircle2 className="size-4" /> The virtual cluster&apos;s API answers (checked through the host).
          </p>
        ) : (
          <p
            role="alert"
            data-testid="kubeconfig-warning"
            className="mt-2 flex items-start gap-1.5 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
          >
            <AlertTriangle className="mt-0.5 size-4 shrink-0" />
            <span>
              The virtual cluster&apos;s API is not reachable right now
              {check.data.warning ? `: ${check.data.warning}` : "."}
            </span>
          </p>
        ))}
      {check.isError && (
        <p role="alert" className="mt-2 text-sm text-red-600">
          {check.error.message}
        </p>
      )}
      {cluster.directKubeconfigOffered && <DirectKubeconfig clusterId={cluster.id} />}
      <KubeAccessList clusterId={cluster.id} />
      <Modal
        open={confirmRotate}
        onOpenChange={setConfirmRotate}
        title="Rotate your token?"
        description="Your current kubeconfig for this cluster stops working at once, open watches included; download the file again afterwards."
      >
        {rotate.isError && (
          <p role="alert" className="mb-3 text-sm text-red-600">
            {rotate.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => setConfirmRotate(false)}>Cancel</Button>
          <Button
            variant="primary"
            onClick={() => rotate.mutate({ id: cluster.id })}
            disabled={rotate.isPending}
            data-testid="confirm-rotate"
          >
            {rotate.isPending ? "Rotating…" : "Rotate"}
          </Button>
        </div>
      </Modal>
    </Card>
  );
}
