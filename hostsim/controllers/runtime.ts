import type { KObject, Obj } from "../types";

/** How a started container turned out: running (ready or not yet), or exited with an error. */
export type ContainerStart = { state: "running"; ready: boolean; log: string[] } | { state: "failed"; message: string; log: string[] };

/**
 * What the programs in containers do, for the few images the simulator knows (the vcluster syncer); any
 * other container runs and is ready at once. The kubelet asks on every (re)start and, while a running
 * container is not ready, on every readiness probe.
 */
export interface ContainerRuntime {
  start(pod: KObject, container: Obj): ContainerStart | undefined;
  probe(pod: KObject, container: Obj): { ready: boolean; log: string[] };
}
