"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { issuesOf } from "../api-error";
import { formatBytes, formatCpu, formatDate } from "../format";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";
import { UsageBar } from "../ui/usage-bar";

const HEALTH_COLOURS = {
  HEALTHY: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  UNREACHABLE: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  UNKNOWN: "bg-slate-100 dark:bg-slate-800",
} as const;

/** Host clusters: health, what the portal has placed against their capacity, cordon, and registering a new one. */
export function HostClusterList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hosts = useQuery(trpc.hostCluster.list.queryOptions(undefined, { refetchInterval: 15_000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.hostCluster.list.queryKey() });
  const [registering, setRegistering] = useState(false);
  const cordon = useMutation(
    trpc.hostCluster.setCordoned.mutationOptions({
      onSuccess: () => void refresh(),
      onError: (e) => toast.error(e.message),
    }),
  );
  const register = useMutation(
    trpc.hostCluster.register.mutationOptions({
      onSuccess: (host) => {
        toast.success(`Registered ${host.name}`);
        setRegistering(false);
        void refresh();
      },
    }),
  );
  const onRegister = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const pattern = String(f.get("directAccessHostPattern") ?? "").trim();
    const level = String(f.get("podSecurityLevel") ?? "baseline");
    register.mutate({
      name: String(f.get("name") ?? ""),
      kubeconfig: String(f.get("kubeconfig") ?? ""),
      labels: {},
      maxVClusters: null,
      directAccessHostPattern: pattern || null,
      podSecurityLevel: level === "privileged" || level === "restricted" ? level : "baseline",
    });
  };
  const errorOf = (field: string) => issuesOf(register.error).find((i) => i.field === field)?.message;

  return (
    <div className="space-y-3">
      {hosts.isError && <p className="text-sm text-red-600">{hosts.error.message}</p>}
      <div className="grid gap-3 md:grid-cols-2">
        {hosts.data?.map((h) => (
          <div
            key={h.id}
            className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-800"
            data-testid="host-cluster"
          >
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{h.name}</span>
              <span className={`rounded-full px-2 py-0.5 text-xs ${HEALTH_COLOURS[h.health]}`}>
                {h.health.toLowerCase()}
              </span>
              {h.cordoned && (
                <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-800 dark:bg-amber-950 dark:text-amber-200">
                  cordoned
                </span>
              )}
              <Button size="sm" className="ml-auto" onClick={() => cordon.mutate({ id: h.id, cordoned: !h.cordoned })}>
                {h.cordoned ? "Uncordon" : "Cordon"}
              </Button>
            </div>
            <p className="truncate text-xs text-slate-500">
              {h.apiEndpoint} · Kubernetes {h.kubernetesVersion ?? "?"} · chart {h.chartVersion ?? "portal default"}
              {h.chartRef ? ` from ${h.chartRef}` : ""} · checked {formatDate(h.lastHealthCheckAt)}
              {h.healthMessage ? ` · ${h.healthMessage}` : ""}
              {` · pod security ${h.podSecurityLevel}`}
              {h.directAccessHostPattern ? ` · direct access at ${h.directAccessHostPattern}` : ""}
            </p>
            <UsageBar
              label={`vclusters placed: ${h.vclusterCount}`}
              used={h.vclusterCount}
              limit={h.maxVClusters}
              format={String}
            />
            <UsageBar label="CPU reserved" used={h.reservedCpuMillis} limit={h.capacityCpuMillis} format={formatCpu} />
            <UsageBar
              label="Memory reserved"
              used={Number(h.reservedMemoryBytes)}
              limit={Number(h.capacityMemoryBytes)}
              format={formatBytes}
            />
          </div>
        ))}
      </div>
      {!registering ? (
        <Button onClick={() => setRegistering(true)}>Register a host cluster</Button>
      ) : (
        <form onSubmit={onRegister} className="space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <Field label="Name" htmlFor="host-name" error={errorOf("name")}>
            <input id="host-name" name="name" required className={inputClass} />
          </Field>
          <Field
            label="Kubeconfig"
            htmlFor="host-kubeconfig"
            error={errorOf("kubeconfig")}
            help="Credentials are sealed at rest; the portal probes the cluster before saving."
          >
            <textarea
              id="host-kubeconfig"
              name="kubeconfig"
              rows={8}
              required
              spellCheck={false}
              className={`${inputClass} font-mono text-xs`}
            />
          </Field>
          <Field
            label="Pod Security"
            htmlFor="host-pod-security"
            error={errorOf("podSecurityLevel")}
            help="Enforced on every vcluster namespace of this host; tenants cannot change it."
          >
            <select id="host-pod-security" name="podSecurityLevel" defaultValue="baseline" className={inputClass}>
              <option value="baseline">baseline</option>
              <option value="restricted">restricted</option>
              <option value="privileged">privileged</option>
            </select>
          </Field>
          <Field
            label="Direct access host pattern (optional)"
            htmlFor="host-direct-access"
            error={errorOf("directAccessHostPattern")}
            help="Also expose each virtual API through the host's ingress at this name, e.g. {namespace}.vc.example.com; owners then get the vcluster's own (shared admin) kubeconfig. Leave empty to allow only the portal's gateway."
          >
            <input id="host-direct-access" name="directAccessHostPattern" spellCheck={false} className={inputClass} />
          </Field>
          {register.isError && issuesOf(register.error).length === 0 && (
            <p className="text-sm text-red-600">{register.error.message}</p>
          )}
          <div className="flex gap-2">
            <Button type="submit" variant="primary" disabled={register.isPending}>
              {register.isPending ? "Probing…" : "Register"}
            </Button>
            <Button onClick={() => setRegistering(false)}>Cancel</Button>
          </div>
        </form>
      )}
    </div>
  );
}
