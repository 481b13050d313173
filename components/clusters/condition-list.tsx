import { CheckCircle2, CircleHelp, XCircle } from "lucide-react";
import type { ClusterDetail } from "../cluster-types";

/** The engine's and reconciler's reason codes, said plainly. */
const REASONS: Record<string, string> = {
  AllReplicasReady: "Every control plane replica is ready.",
  ReplicasAvailable: "The control plane is serving.",
  PodsNotReady: "Control plane pods are starting or failing their readiness checks.",
  Unschedulable: "The host has no room for the control plane pods.",
  ScaledToZero: "The control plane runs no replicas.",
  NotInstalled: "The control plane is not installed on the host (yet).",
  Paused: "The cluster is suspended: its control plane and workloads are stopped.",
  NotPaused: "The cluster is not suspended.",
  InSync: "The host matches what the portal asked for.",
  ControlPlaneMissing: "Someone removed the control plane from the host outside the portal.",
  PausedOutsidePortal: "Someone suspended the control plane outside the portal.",
  ResumedOutsidePortal: "Someone resumed the control plane outside the portal.",
  ReplicasChanged: "Someone changed the number of replicas outside the portal.",
  CreateFailed: "Creating the cluster failed.",
  UpdateFailed: "Changing the cluster failed.",
};

/** Drift is the only condition where "True" is the bad news. */
function healthy(type: string, status: string): boolean | null {
  if (status === "Unknown") return null;
  return type === "Drift" || type === "Paused" ? status === "False" : status === "True";
}

export function ConditionList({ conditions }: { conditions: ClusterDetail["conditions"] }) {
  if (conditions.length === 0) return <p className="text-sm text-slate-500">No conditions reported yet.</p>;
  return (
    <ul className="space-y-2">
      {conditions.map((c) => {
        const good = healthy(c.type, c.status);
        const Icon = good === null ? CircleHelp : good ? CheckCircle2 : XCircle;
        return (
          <li key={c.type} className="flex gap-2 text-sm">
            <Icon
              className={`mt-0.5 size-4 shrink-0 ${good === null ? "text-slate-400" : good ? "text-emerald-600" : "text-amber-600"}`}
            />
            <div>
              <p>
                <span className="font-medium">{c.type}</span> <span className="text-slate-500">({c.reason})</span>
              </p>
              <p className="text-slate-600 dark:text-slate-300">{REASONS[c.reason] ?? c.message}</p>
              {REASONS[c.reason] && c.message && <p className="text-xs text-slate-500">{c.message}</p>}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
