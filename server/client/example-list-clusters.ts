/**
 * Lists the vclusters an API token can see, as a table:
 *   OVC_URL=http://localhost:3000 OVC_TOKEN=ovc_… npx tsx server/client/example-list-clusters.ts
 */
import { createClient } from "./create-client";

const url = process.env.OVC_URL;
const token = process.env.OVC_TOKEN;
if (!url || !token) {
  console.error("set OVC_URL (the portal's address) and OVC_TOKEN (an API token from the Projects page)");
  process.exit(2);
}

const client = createClient({ url, token });
const rows: { name: string; project: string; phase: string; kubernetes: string; replicas: string; host: string }[] = [];
let cursor: string | undefined;
let total = 0;
do {
  const page = await client.vcluster.list.query({ limit: 200, cursor });
  total = page.total;
  for (const v of page.items) {
    rows.push({
      name: v.name,
      project: v.projectName,
      phase: v.phase,
      kubernetes: v.kubernetesVersion,
      replicas: `${v.readyReplicas}/${v.replicas}`,
      host: v.hostClusterName ?? "-",
    });
  }
  cursor = page.nextCursor ?? undefined;
} while (cursor);

console.table(rows);
console.log(`${total} vcluster(s)`);
