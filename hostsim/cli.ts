/**
 * The command line of `npm run hostsim`. Parsing is kept apart from starting the server so `--help` and usage
 * errors are answered without binding a port or touching the data directory.
 */
import { parseArgs } from "node:util";
import type { HostSimOptions } from "./index";

const OPTIONS = {
  port: { type: "string", default: "6443", help: "HTTPS port (0 = any free one)" },
  host: { type: "string", default: "127.0.0.1", help: "address to listen on" },
  data: { type: "string", default: ".data/hostsim", help: "directory for the cluster's objects, CA and token" },
  "kubeconfig-out": { type: "string", help: "write the admin kubeconfig (mode 0600) to this file" },
  nodes: { type: "string", default: "3", help: "number of simulated nodes" },
  "node-cpu": { type: "string", default: "16", help: "allocatable CPU of each node" },
  "node-memory": { type: "string", default: "64Gi", help: "allocatable memory of each node" },
  "pod-ready-delay-ms": { type: "string", default: "1000", help: "how long a scheduled pod takes to become ready" },
  "kubernetes-version": { type: "string", default: "v1.33.1", help: "the version /version reports" },
  help: { type: "boolean", short: "h", help: "print this help and exit" },
} as const;

const INTEGERS = { port: [0, 65535], nodes: [1, 10_000], "pod-ready-delay-ms": [0, 3_600_000] } as const;

export class UsageError extends Error {}

export type HostSimCommand =
  { help: true } | { help: false; options: HostSimOptions; kubeconfigOut: string | undefined };

export function usage(): string {
  const lines = Object.entries(OPTIONS).map(([name, o]) => {
    const flag = `${"short" in o ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? " VALUE" : ""}`;
    return `  ${flag.padEnd(34)}${o.help}${"default" in o ? ` (default ${o.default})` : ""}`;
  });
  return [
    "Usage: npm run hostsim -- [options]",
    "",
    "A simulated Kubernetes host cluster over HTTPS (see hostsim/README.md).",
    "",
    "Options:",
    ...lines,
  ].join("\n");
}

const parse = (args: string[]) => parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });

export function parseHostSimArgs(args: string[]): HostSimCommand {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(args).values;
  } catch (error) {
    // node's messages name the offending option, e.g. "Unknown option '--prot'"
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  const integer = (name: keyof typeof INTEGERS): number => {
    const text = values[name] ?? "";
    const [min, max] = INTEGERS[name];
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max)
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
    return n;
  };
  return {
    help: false,
    options: {
      port: integer("port"),
      host: values.host,
      dataDir: values.data,
      nodes: integer("nodes"),
      nodeCpu: values["node-cpu"],
      nodeMemory: values["node-memory"],
      podReadyDelayMs: integer("pod-ready-delay-ms"),
      kubernetesVersion: values["kubernetes-version"],
    },
    kubeconfigOut: values["kubeconfig-out"],
  };
}
