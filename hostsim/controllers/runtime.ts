import type { KObject, Obj } from "../types";

/** How a started container turned out: running (ready or not yet), or exited with an error. */
export type ContainerStart =
  { state: "running"; ready: boolean; log: string[] } | { state: "failed"; message: string; log: string[] };

/**
 * What the programs in containers do, for the few images the simulator knows (the vcluster syncer, agnhost's
 * netexec); a runtime answers undefined for containers it does not run, and any container no runtime claims runs
 * and is ready at once. The kubelet asks on every (re)start and, while a running container is not ready, on
 * every readiness probe.
 */
export interface ContainerRuntime {
  start(pod: KObject, container: Obj): ContainerStart | undefined;
  probe(pod: KObject, container: Obj): { ready: boolean; log: string[] } | undefined;
}

/** The first runtime that claims a container runs it. */
export function combineRuntimes(...runtimes: ContainerRuntime[]): ContainerRuntime {
  return {
    start: (pod, container) =>
      runtimes.reduce<ContainerStart | undefined>((found, r) => found ?? r.start(pod, container), undefined),
    probe: (pod, container) =>
      runtimes.reduce<{ ready: boolean; log: string[] } | undefined>(
        (found, r) => found ?? r.probe(pod, container),
        undefined,
      ),
  };
}
