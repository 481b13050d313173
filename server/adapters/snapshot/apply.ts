/**
 * Restore of snapshot objects into a virtual cluster, and its preview. Order: CRDs (then wait until the server
 * serves their kinds), Namespaces, objects without owners, then objects with owners (whose uids are looked up
 * again, as restored owners have new ones). An absent object is created by server-side apply; an object that
 * differs is replaced (PUT at its current resourceVersion): apply alone would leave fields another manager added
 * since the snapshot, and a restore must give back exactly the snapshot. Re-running changes nothing.
 */
import { setTimeout as delay } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { isNotFound } from "@/server/adapters/kubernetes/errors";
import { AppError } from "@/server/universal/errors";
import { discoverResourceTypes, objectPath, type ResourceType } from "./discovery";
import { listAll, snapshotObjects } from "./export";
import { kindKey, objectRef, type KubeObject } from "./format";
import { createKubeApi, type KubeApi } from "./kube-api";
import { stripServerFields } from "./sanitize";

export interface RestorePlan {
  create: string[];
  change: string[];
  delete: string[];
}

export interface RestoreOptions {
  /** delete objects of the snapshotted types that the snapshot does not hold */
  prune?: boolean;
  /** how long a restored CRD may take to become Established */
  crdTimeoutMs?: number;
}

const CRD_KEY = "CustomResourceDefinition.apiextensions.k8s.io";

function phase(object: KubeObject): number {
  if (kindKey(object) === CRD_KEY) return 0;
  if (kindKey(object) === "Namespace") return 1;
  return object.metadata.ownerReferences?.length ? 3 : 2;
}

const RESTORE_CONCURRENCY = 16;

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function collect(objects: Iterable<KubeObject> | AsyncIterable<KubeObject>): Promise<KubeObject[]> {
  const all: KubeObject[] = [];
  for await (const o of objects) all.push(o);
  return all.sort((a, b) => phase(a) - phase(b));
}

class Cluster {
  private types = new Map<string, ResourceType>();
  /** live objects of whole types, read with one list each instead of a GET per object */
  private listed = new Map<string, Map<string, KubeObject>>();
  constructor(readonly api: KubeApi) {}

  async prefetch(objects: KubeObject[]): Promise<void> {
    for (const key of new Set(objects.map((o) => kindKey(o)))) {
      const type = this.types.get(key);
      if (!type) continue;
      const live = new Map<string, KubeObject>();
      for await (const o of listAll(this.api, type)) live.set(objectRef(o), o);
      this.listed.set(key, live);
    }
  }

  async discover(): Promise<ResourceType[]> {
    const types = await discoverResourceTypes(this.api);
    this.types = new Map(types.map((t) => [kindKey(t), t]));
    return types;
  }

  /** Owned objects are looked up one by one again: their owners were created after the lists were read. */
  forgetPrefetched(): void {
    this.listed.clear();
  }

  typeOf(object: Pick<KubeObject, "apiVersion" | "kind">): ResourceType | undefined {
    return this.types.get(kindKey(object));
  }

  path(object: KubeObject): string {
    const type = this.typeOf(object);
    if (!type)
      throw new AppError(
        "NOT_AVAILABLE",
        `virtual cluster ${this.api.name} does not serve ${object.apiVersion} ${object.kind} (needed for ${objectRef(object)})`,
      );
    return objectPath(type, object.metadata.namespace, object.metadata.name);
  }

  async live(object: KubeObject): Promise<KubeObject | null> {
    if (!this.typeOf(object)) return null; // its CRD is not there yet: the object cannot exist
    const listed = this.listed.get(kindKey(object));
    if (listed) {
      const live = listed.get(objectRef(object));
      return live && !live.metadata.deletionTimestamp ? live : null;
    }
    try {
      const live = await this.api.get<KubeObject>(this.path(object), `read of ${objectRef(object)}`);
      return live.metadata.deletionTimestamp ? null : live;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}

function differs(live: KubeObject, wanted: KubeObject): boolean {
  return !isDeepStrictEqual(stripServerFields(live), wanted);
}

/** What a restore of `objects` would create, change and (with prune) delete, as `kind/ns/name` references. */
export async function previewRestore(
  kubeconfig: string,
  objects: Iterable<KubeObject> | AsyncIterable<KubeObject>,
  options: RestoreOptions = {},
): Promise<RestorePlan> {
  const cluster = new Cluster(createKubeApi(kubeconfig));
  try {
    const types = await cluster.discover();
    const plan: RestorePlan = { create: [], change: [], delete: [] };
    const wanted = await collect(objects);
    for (const object of wanted) {
      const live = await cluster.live(object);
      if (!live) plan.create.push(objectRef(object));
      else if (differs(live, object)) plan.change.push(objectRef(object));
    }
    if (options.prune) plan.delete = (await extraObjects(cluster, types, wanted)).map(objectRef);
    return plan;
  } finally {
    cluster.api.close();
  }
}

async function extraObjects(cluster: Cluster, types: ResourceType[], wanted: KubeObject[]): Promise<KubeObject[]> {
  const keep = new Set(wanted.map(objectRef));
  const extra: KubeObject[] = [];
  for await (const o of snapshotObjects(cluster.api, types)) if (!keep.has(objectRef(o))) extra.push(o);
  // dependents before what they live in: objects, then namespaces, then CRDs
  return extra.sort((a, b) => phase(b) - phase(a));
}

async function withOwnerUids(cluster: Cluster, object: KubeObject): Promise<KubeObject> {
  const refs = object.metadata.ownerReferences;
  if (!refs?.length) return object;
  const resolved = [];
  for (const ref of refs) {
    const owner = await cluster.live({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: object.metadata.namespace },
    });
    // an owner the snapshot did not hold cannot be referred to; the object is restored without that link
    if (owner?.metadata.uid) resolved.push({ ...ref, uid: String(owner.metadata.uid) });
  }
  const metadata: KubeObject["metadata"] = { ...object.metadata, ownerReferences: resolved };
  if (!resolved.length) delete metadata.ownerReferences;
  return { ...object, metadata };
}

async function waitEstablished(cluster: Cluster, crd: KubeObject, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await cluster.live(crd);
    const conditions =
      (live?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    if (conditions.some((c) => c.type === "Established" && c.status === "True")) return;
    if (Date.now() > deadline)
      throw new AppError(
        "TIMEOUT",
        `CRD ${crd.metadata.name} was not established within ${timeoutMs / 1000} s in virtual cluster ${cluster.api.name}`,
      );
    await delay(100);
  }
}

/** Restores `objects` into the cluster behind `kubeconfig`; returns what it created, changed and deleted. */
export async function applyObjects(
  kubeconfig: string,
  objects: Iterable<KubeObject> | AsyncIterable<KubeObject>,
  options: RestoreOptions = {},
): Promise<RestorePlan> {
  const cluster = new Cluster(createKubeApi(kubeconfig));
  const done: RestorePlan = { create: [], change: [], delete: [] };
  try {
    const wanted = await collect(objects);
    await cluster.discover();
    const restoreOne = async (original: KubeObject) => {
      const object = await withOwnerUids(cluster, original);
      const ref = objectRef(object);
      const live = await cluster.live(object);
      if (!live) {
        await cluster.api.apply(cluster.path(object), object, `apply of ${ref}`);
        done.create.push(ref);
      } else if (differs(live, original)) {
        await cluster.api.put(cluster.path(object), replacement(live, object), `replace of ${ref}`);
        done.change.push(ref);
      }
    };
    for (const crd of wanted.filter((o) => phase(o) === 0)) {
      await restoreOne(crd);
      await waitEstablished(cluster, crd, options.crdTimeoutMs ?? 30_000);
    }
    const types = await cluster.discover(); // the restored CRDs' kinds are served now
    // Namespaces and ownerless objects do not depend on each other within their phase, so they go in parallel;
    // owned objects go one by one, as an owner may itself be owned.
    const independent = wanted.filter((o) => phase(o) === 1 || phase(o) === 2);
    await cluster.prefetch(independent);
    await inParallel(
      wanted.filter((o) => phase(o) === 1),
      RESTORE_CONCURRENCY,
      restoreOne,
    );
    await inParallel(
      wanted.filter((o) => phase(o) === 2),
      RESTORE_CONCURRENCY,
      restoreOne,
    );
    cluster.forgetPrefetched();
    for (const owned of wanted.filter((o) => phase(o) === 3)) await restoreOne(owned);
    if (options.prune) {
      for (const extra of await extraObjects(cluster, types, wanted)) {
        try {
          await cluster.api.delete(cluster.path(extra), `deletion of ${objectRef(extra)}`);
        } catch (err) {
          if (!isNotFound(err)) throw err; // gone with its namespace or owner meanwhile
        }
        done.delete.push(objectRef(extra));
      }
    }
    return done;
  } finally {
    cluster.api.close();
  }
}

/** The snapshot's object at the live object's resourceVersion, keeping what the server allocated (Service IPs). */
function replacement(live: KubeObject, wanted: KubeObject): KubeObject {
  const out: KubeObject = {
    ...wanted,
    metadata: { ...wanted.metadata, resourceVersion: live.metadata.resourceVersion },
  };
  if (
    wanted.kind === "Service" &&
    wanted.apiVersion === "v1" &&
    typeof live.spec === "object" &&
    live.spec !== null &&
    typeof wanted.spec === "object" &&
    wanted.spec !== null
  ) {
    const { clusterIP, clusterIPs } = live.spec as Record<string, unknown>;
    out.spec = { ...wanted.spec, clusterIP, clusterIPs };
  }
  return out;
}
