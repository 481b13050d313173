import { stringify } from "yaml";
import type { ClusterDetail } from "../cluster-types";

/** The desired state as stored, in the YAML users know from Helm values. */
export function SpecView({ cluster }: { cluster: ClusterDetail }) {
  const document = { labels: cluster.labels, annotations: cluster.annotations, spec: cluster.spec };
  return (
    <pre className="max-h-96 overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs dark:bg-slate-950">
      {stringify(document)}
    </pre>
  );
}
