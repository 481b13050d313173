import { writeFile } from "node:fs/promises";
import { createClient } from "@/server/client/create-client";
import { startEnginePortal } from "@/server/testing/engine-portal";
const portal = await startEnginePortal({ LOG_LEVEL: "info" });
const owner = createClient({ url: portal.url, token: portal.token });
const created = await owner.vcluster.create.mutate({ projectId: portal.project.id, name: "gw", spec: { kubernetesVersion: "1.33.4" } });
for (;;) { if ((await owner.vcluster.get.query({ id: created.vcluster.id })).phase === "RUNNING") break; await new Promise((r) => setTimeout(r, 300)); }
const file = await owner.vcluster.kubeconfig.mutate({ id: created.vcluster.id });
await writeFile("/tmp/gw.kubeconfig", file.kubeconfig);
console.log("READY", portal.url, created.vcluster.id);
await new Promise((r) => setTimeout(r, 600_000));
