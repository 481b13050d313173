import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

interface Metrics {
  registry: Registry;
  requests: Counter<"procedure" | "type" | "code">;
  duration: Histogram<"procedure" | "type">;
}

const globalForMetrics = globalThis as unknown as { ovcMetrics?: Metrics };

/** One registry per process, whichever route bundle asks first. */
export function metrics(): Metrics {
  if (!globalForMetrics.ovcMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    globalForMetrics.ovcMetrics = {
      registry,
      requests: new Counter({
        name: "ovc_trpc_requests_total",
        help: "tRPC calls by procedure, type and result code",
        labelNames: ["procedure", "type", "code"],
        registers: [registry],
      }),
      duration: new Histogram({
        name: "ovc_trpc_request_duration_seconds",
        help: "tRPC call latency by procedure",
        labelNames: ["procedure", "type"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    };
  }
  return globalForMetrics.ovcMetrics;
}
