import type { Cluster } from "../cluster";
import { ApiError } from "../errors";
import type { ResourceType } from "../registry";
import type { ContainerRuntime } from "./runtime";
import { clone, isObj, objs, type KObject, type Obj } from "../types";

export interface ControllerContext {
  cluster: Cluster;
  podReadyDelayMs: number;
  gitVersion: string;
  caPem: string;
  /** What known container images do when started; without it every container runs and is ready. */
  runtime?: ContainerRuntime;
}

export function statusOf(o: KObject): Obj {
  return isObj(o.status) ? o.status : {};
}

export function specOf(o: KObject): Obj {
  return isObj(o.spec) ? o.spec : {};
}

/** Writes a new status through the status subresource, unless nothing changed. */
export function writeStatus(cluster: Cluster, rt: ResourceType, o: KObject, status: Obj): KObject {
  const next = clone(o);
  next.status = status;
  return cluster.update(rt, o.metadata.namespace, o.metadata.name ?? "", next, { subresource: "status" });
}

export function controllerOf(o: KObject): { kind: string; uid: string; name: string } | undefined {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
  return ref ? { kind: ref.kind, uid: ref.uid, name: ref.name } : undefined;
}

export function isPodReady(p: KObject): boolean {
  return (
    !p.metadata.deletionTimestamp && objs(statusOf(p).conditions).some((c) => c.type === "Ready" && c.status === "True")
  );
}

export function ownerRef(o: KObject) {
  return {
    apiVersion: o.apiVersion ?? "",
    kind: o.kind ?? "",
    name: o.metadata.name ?? "",
    uid: o.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

const safeChars = "bcdfghjklmnpqrstvwxz2456789";

/** FNV-1a of the template, spelled with the controller-manager's "safe" alphabet (no vowels, no 0/1/3). */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify(template ?? {})) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = "";
  for (let i = 0; i < 10; i++) {
    out += safeChars[h % safeChars.length];
    h = Math.floor(h / safeChars.length) || 0x9e3779b1 + i;
  }
  return out;
}

/**
 * Creates a pod for owner, or reports why admission refused it (quota, terminating namespace) with one
 * FailedCreate event per distinct reason, as the controller-manager does; returns undefined then.
 */
export function createPodOrReport(
  ctx: ControllerContext,
  owner: KObject,
  pod: KObject,
  component: string,
  reported: Map<string, string>,
): KObject | undefined {
  try {
    const created = ctx.cluster.create(ctx.cluster.rt("", "pods"), owner.metadata.namespace, pod);
    reported.delete(owner.metadata.uid ?? "");
    return created;
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 403) throw e;
    if (reported.get(owner.metadata.uid ?? "") !== e.message) {
      reported.set(owner.metadata.uid ?? "", e.message);
      ctx.cluster.recordEvent(owner, "Warning", "FailedCreate", `Error creating: ${e.message}`, component);
    }
    return undefined;
  }
}
