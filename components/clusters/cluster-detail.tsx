"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import type { ClusterDetail as Detail, Phase } from "../cluster-types";
import { formatAge, formatDate } from "../format";
import { ClusterSnapshots } from "../snapshots/cluster-snapshots";
import { useTRPC } from "../trpc";
import { Card } from "../ui/card";
import { PhaseBadge } from "../ui/phase-badge";
import { useAccess } from "../use-access";
import { ChartCard } from "./chart-card";
import { ClusterActionBar } from "./cluster-action-bar";
import { ConditionList } from "./condition-list";
import { EventList } from "./event-list";
import { KubeconfigPanel } from "./kubeconfig-panel";
import { isActive, OperationTimeline } from "./operation-timeline";
import { SpecView } from "./spec-view";

const SETTLED: ReadonlySet<Phase> = new Set(["RUNNING", "SUSPENDED", "ERROR"]);

/** Polls quickly while something is happening, so phases and progress move live; slowly otherwise. */
function pollInterval(data: Detail | undefined): number {
  if (!data) return 2_000;
  return data.operations.some(isActive) || !SETTLED.has(data.phase) ? 1_500 : 10_000;
}

export function ClusterDetail({ id, initialAction }: { id: string; initialAction: string | null }) {
  const trpc = useTRPC();
  const access = useAccess();
  const cluster = useQuery(
    trpc.vcluster.get.queryOptions(
      { id },
      {
        refetchInterval: (query) =>
          query.state.error?.data?.code === "NOT_FOUND" ? false : pollInterval(query.state.data),
        retry: (count, error) => error.data?.code !== "NOT_FOUND" && count < 2,
      },
    ),
  );

  if (cluster.isPending) return <p className="text-sm text-slate-500">Loading cluster…</p>;
  if (cluster.isError) {
    const gone = cluster.error.data?.code === "NOT_FOUND";
    return (
      <div
        className="rounded-lg border border-dashed border-slate-300 p-10 text-center dark:border-slate-700"
        data-testid={gone ? "cluster-gone" : undefined}
      >
        <p className="font-medium">
          {gone ? "This cluster does not exist (any more)." : `Could not load the cluster: ${cluster.error.message}`}
        </p>
        <Link href="/clusters" className="text-sm text-indigo-600 hover:underline">
          Back to the clusters
        </Link>
      </div>
    );
  }
  const c = cluster.data;
  const canChange = access.canChange(c.projectId);
  return (
    <div className="space-y-4">
      <Link
        href="/clusters"
        className="inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900 dark:hover:text-white"
      >
        <ArrowLeft className="size-4" /> Clusters
      </Link>
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold" data-testid="cluster-name">
          {c.name}
        </h1>
        <PhaseBadge phase={c.phase} />
        <span className="text-sm text-slate-500">
          {c.projectName} · Kubernetes {c.kubernetesVersion} · {c.readyReplicas}/{c.replicas} ready · host{" "}
          {c.hostClusterName ?? "not placed yet"} · created {formatAge(c.createdAt)} ago by {c.ownerEmail}
        </span>
      </header>
      {(c.reason || c.message) && (
        <p
          className={`rounded-md px-3 py-2 text-sm ${c.phase === "ERROR" ? "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200" : "bg-slate-100 dark:bg-slate-900"}`}
        >
          {c.reason && <span className="font-medium">{c.reason}: </span>}
          {c.message}
        </p>
      )}
      {canChange && <ClusterActionBar cluster={c} initialAction={initialAction} />}
      <div className="grid gap-4 lg:grid-cols-2">
        <KubeconfigPanel cluster={c} />
        <Card title="Status">
          <ConditionList conditions={c.conditions} />
          <p className="mt-3 text-xs text-slate-500">
            Namespace on the host: <code data-testid="host-namespace">{c.namespace}</code> · updated{" "}
            {formatDate(c.updatedAt)}
          </p>
        </Card>
        <Card title="Operations">
          <OperationTimeline operations={c.operations} />
        </Card>
        <Card title="Events">
          <EventList events={c.events} hostError={c.hostError} />
        </Card>
        <ChartCard cluster={c} canChange={canChange} />
      </div>
      <ClusterSnapshots cluster={c} canChange={canChange} />
      <Card title="Spec">
        <SpecView cluster={c} />
      </Card>
    </div>
  );
}
