import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startHostSim } from "./index";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "6443" },
    host: { type: "string", default: "127.0.0.1" },
    data: { type: "string", default: ".data/hostsim" },
    "kubeconfig-out": { type: "string" },
    nodes: { type: "string", default: "3" },
    "node-cpu": { type: "string", default: "16" },
    "node-memory": { type: "string", default: "64Gi" },
    "pod-ready-delay-ms": { type: "string", default: "1000" },
    "kubernetes-version": { type: "string", default: "v1.33.1" },
  },
});

const sim = await startHostSim({
  port: Number(values.port),
  host: values.host,
  dataDir: values.data,
  nodes: Number(values.nodes),
  nodeCpu: values["node-cpu"],
  nodeMemory: values["node-memory"],
  podReadyDelayMs: Number(values["pod-ready-delay-ms"]),
  kubernetesVersion: values["kubernetes-version"],
});

const out = values["kubeconfig-out"];
if (out) {
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, sim.kubeconfig, { mode: 0o600 });
}
console.log(`hostsim serving ${sim.url}${out ? `; admin kubeconfig written to ${out}` : ""}`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
