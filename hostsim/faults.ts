import { z } from "zod";

const errorRule = z.object({
  /** "host", or "vc/NAMESPACE/NAME" for one virtual cluster's API; all APIs when absent. */
  cluster: z.string().optional(),
  verb: z.string().optional(),
  resource: z.string().optional(),
  rate: z.number().min(0).max(1),
  status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(504), z.literal("timeout")]),
});

export const faultsSchema = z.object({
  /** Seeds the random choices so a test sees the same failures on every run. */
  seed: z.number().int().optional(),
  errors: z.array(errorRule).optional(),
  latencyMs: z.number().min(0).optional(),
  latencyJitterMs: z.number().min(0).optional(),
  /** Every watch stream, open or new, is cut this long after it starts (or after the faults are set). */
  dropWatchesAfterMs: z.number().min(0).optional(),
  /** The host stops answering: "hang" keeps connections open without a reply, "close" drops them. */
  unresponsive: z.enum(["hang", "close"]).optional(),
});

export type Faults = z.infer<typeof faultsSchema>;
export type ErrorRule = z.infer<typeof errorRule>;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RequestShape {
  cluster: string;
  verb: string;
  resource: string;
}

/** The verb and resource of a request to one API ("host" or "vc/NS/NAME"), as the apiserver's request info names them. */
export function describeRequest(method: string, path: string, query: URLSearchParams, cluster = "host"): RequestShape {
  const segs = path.split("/").filter(Boolean);
  const rest = segs[0] === "api" ? segs.slice(2) : segs[0] === "apis" ? segs.slice(3) : [];
  let r = rest[0] === "watch" ? rest.slice(1) : rest;
  if (r[0] === "namespaces" && r.length >= 3) r = r.slice(2);
  const resource = r[0] ?? "";
  const named = r.length >= 2;
  const watch = rest[0] === "watch" || query.get("watch") === "true" || query.get("watch") === "1";
  const verb =
    method === "GET"
      ? watch
        ? "watch"
        : named
          ? "get"
          : "list"
      : method === "POST"
        ? "create"
        : method === "PUT"
          ? "update"
          : method === "PATCH"
            ? "patch"
            : method === "DELETE"
              ? named
                ? "delete"
                : "deletecollection"
              : method.toLowerCase();
  return { cluster, verb, resource };
}

/** The current fault settings and their random source. */
export class FaultInjector {
  private faults: Faults = {};
  private random: () => number = Math.random;
  private since = Date.now();
  /** failures injected so far, so a test can tell that its faults were met, not only survived */
  injected = 0;

  set(f: Faults): void {
    this.faults = faultsSchema.parse(f);
    this.random = f.seed !== undefined ? mulberry32(f.seed) : Math.random;
    this.since = Date.now();
  }

  get(): Faults {
    return this.faults;
  }

  delayMs(): number {
    const { latencyMs = 0, latencyJitterMs = 0 } = this.faults;
    return latencyMs + (latencyJitterMs ? this.random() * latencyJitterMs : 0);
  }

  /** The failure to inject for this request, if a rule fires. */
  failure(shape: RequestShape): ErrorRule["status"] | undefined {
    for (const rule of this.faults.errors ?? []) {
      if (rule.cluster && rule.cluster !== shape.cluster) continue;
      if (rule.verb && rule.verb !== shape.verb) continue;
      if (rule.resource && rule.resource !== shape.resource) continue;
      if (this.random() < rule.rate) {
        this.injected += 1;
        return rule.status;
      }
    }
    return undefined;
  }

  /** How long a watch that starts now may live, or undefined for no limit. */
  watchLifetimeMs(startedAt: number): number | undefined {
    const d = this.faults.dropWatchesAfterMs;
    if (d === undefined) return undefined;
    return Math.max(0, Math.max(startedAt, this.since) + d - Date.now());
  }

  get unresponsive(): Faults["unresponsive"] {
    return this.faults.unresponsive;
  }
}
