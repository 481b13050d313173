"use client";

import { useMutation } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Copy, Download } from "lucide-react";
import { toast } from "sonner";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Card } from "../ui/card";

/** vcluster's default server: reachable only through a port-forward to the control plane's Service. */
const isLocal = (server: string | null) => !server || /^https:\/\/(localhost|127\.0\.0\.1):\d+\/?$/.test(server);

/** The kubeconfig file (downloaded through the audited route), the commands to use it, and a reachability check. */
export function KubeconfigPanel({ cluster }: { cluster: ClusterDetail }) {
  const trpc = useTRPC();
  const check = useMutation(trpc.vcluster.kubeconfig.mutationOptions());
  const fileName = `${cluster.name}.kubeconfig.yaml`;
  const command = `kubectl --kubeconfig ${fileName} get namespaces`;
  const forward = isLocal(cluster.apiServerEndpoint) ? `kubectl port-forward -n ${cluster.namespace} svc/${cluster.name} 8443:443` : null;
  const copy = () =>
    navigator.clipboard.writeText(forward ? `${forward} &\n${command}` : command).then(
      () => toast.success("Command copied"),
      () => toast.error("Could not copy: select the command and copy it by hand"),
    );
  return (
    <Card title="Access">
      <div className="flex flex-wrap items-center gap-2">
        <a href={`/api/vclusters/${cluster.id}/kubeconfig`} download={fileName} data-testid="download-kubeconfig" className="inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500">
          <Download className="size-4" /> Download kubeconfig
        </a>
        <Button onClick={() => check.mutate({ id: cluster.id })} disabled={check.isPending}>
          {check.isPending ? "Checking…" : "Check connection"}
        </Button>
      </div>
      {forward && (
        <p className="mt-3 text-xs text-slate-500">
          The file points at {cluster.apiServerEndpoint ?? "https://localhost:8443"}, as vcluster writes it: forward that port through the host first (with host access), or use <code>vcluster connect {cluster.name} -n {cluster.namespace}</code>.
        </p>
      )}
      <div className="mt-3 flex items-center gap-2 rounded-md bg-slate-100 px-3 py-2 font-mono text-xs dark:bg-slate-950">
        <div className="flex-1 overflow-x-auto whitespace-nowrap">
          {forward && <code className="block" data-testid="port-forward-command">{forward}</code>}
          <code className="block" data-testid="kubectl-command">
            {command}
          </code>
        </div>
        <button type="button" onClick={copy} aria-label="Copy command" className="rounded p-1 hover:bg-slate-200 dark:hover:bg-slate-800">
          <Copy className="size-4" />
        </button>
      </div>
      {cluster.phase !== "RUNNING" && !check.data && (
        <p className="mt-2 text-xs text-slate-500">The virtual cluster&apos;s API answers only while the cluster is RUNNING; it is {cluster.phase} now.</p>
      )}
      {check.data &&
        (check.data.reachable ? (
          <p className="mt-2 flex items-center gap-1.5 text-sm text-emerald-700 dark:text-emerald-400">
            <CheckCircle2 className="size-4" /> The virtual cluster&apos;s API answers (checked through the host).
          </p>
        ) : (
          <p role="alert" data-testid="kubeconfig-warning" className="mt-2 flex items-start gap-1.5 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
            <AlertTriangle className="mt-0.5 size-4 shrink-0" />
            <span>
              The virtual cluster&apos;s API is not reachable right now{check.data.warning ? `: ${check.data.warning}` : "."}
            </span>
          </p>
        ))}
      {check.isError && (
        <p role="alert" className="mt-2 text-sm text-red-600">
          {check.error.message}
        </p>
      )}
    </Card>
  );
}
