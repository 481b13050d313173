/** `ovc get` on a terminal: a kubectl-describe-like summary. */
import type { Client } from "../session";
import { age, renderTable } from "../output";

type Detail = Awaited<ReturnType<Client["vcluster"]["get"]["query"]>>;

export function describeVCluster(v: Detail): string {
  const fields: [string, string][] = [
    ["Name", v.name],
    ["Project", v.projectName],
    ["Phase", v.phase + (v.reason ? ` (${v.reason})` : "")],
    ["Message", v.message ?? "-"],
    ["Kubernetes", v.kubernetesVersion],
    ["Replicas", `${v.readyReplicas}/${v.replicas} ready`],
    ["Host", v.hostClusterName ?? "-"],
    ["Endpoint", v.apiServerEndpoint ?? "-"],
    ["Owner", v.ownerEmail],
    ["Created", `${v.createdAt.toISOString()} (${age(v.createdAt)} ago)`],
    ["Actions", v.allowedActions.join(", ") || "-"],
  ];
  const width = Math.max(...fields.map(([k]) => k.length)) + 2;
  const sections = [fields.map(([k, value]) => `${`${k}:`.padEnd(width)}${value}`).join("\n")];
  if (v.hostError) sections.push(`Host error: ${v.hostError}`);
  if (v.conditions.length) {
    sections.push(
      `Conditions:\n${renderTable(
        ["TYPE", "STATUS", "REASON", "MESSAGE"],
        v.conditions.map((c) => [c.type, c.status, c.reason, c.message]),
      )}`,
    );
  }
  if (v.operations.length) {
    const rows = v.operations
      .slice(0, 5)
      .map((o) => [o.kind, o.state, o.step ?? "-", `${o.progress}%`, age(o.createdAt)]);
    sections.push(`Recent operations:\n${renderTable(["KIND", "STATE", "STEP", "PROGRESS", "AGE"], rows)}`);
  }
  return sections.join("\n\n");
}
