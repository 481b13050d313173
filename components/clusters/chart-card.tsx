"use client";

import { useMutation } from "@tanstack/react-query";
import { ArrowUpCircle } from "lucide-react";
import type { ClusterDetail } from "../cluster-types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Card } from "../ui/card";
import { useAcceptedChange } from "./use-cluster-mutation";

/** The vcluster chart release the control plane runs, and a move to the version its host pins when that is newer. */
export function ChartCard({ cluster, canChange }: { cluster: ClusterDetail; canChange: boolean }) {
  const trpc = useTRPC();
  const accepted = useAcceptedChange(cluster.id);
  const upgrade = useMutation(
    trpc.vcluster.upgradeChart.mutationOptions({
      onSuccess: () => accepted(`Moving to chart ${cluster.pinnedChartVersion}`),
    }),
  );
  const pinned = cluster.pinnedChartVersion;
  const behind = pinned !== null && cluster.chartVersion !== null && pinned !== cluster.chartVersion;
  return (
    <Card title="Chart">
      <p className="text-sm" data-testid="chart-version">
        vcluster chart {cluster.chartVersion ?? "not installed yet"}
        {pinned && !behind && cluster.chartVersion && (
          <span className="text-slate-500"> · the version its host pins</span>
        )}
      </p>
      {behind && (
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          <span>The host pins chart {pinned}.</span>
          {canChange && (
            <Button
              onClick={() => upgrade.mutate({ id: cluster.id, chartVersion: pinned })}
              disabled={upgrade.isPending || !cluster.allowedActions.includes("update")}
            >
              <ArrowUpCircle className="size-4" /> {upgrade.isPending ? "Requesting…" : `Upgrade to ${pinned}`}
            </Button>
          )}
        </div>
      )}
      {upgrade.isError && (
        <p role="alert" className="mt-2 text-sm text-red-600">
          {upgrade.error.message}
        </p>
      )}
    </Card>
  );
}
