import { randomBytes, randomUUID } from "node:crypto";
import { ApiError, errors } from "./errors";
import { checkUnknownFields } from "./fieldvalidation";
import { ContainerLogs } from "./logs";
import { recordUpdate, serverSideApply } from "./managed";
import { allocateNodePorts } from "./nodeports";
import { applyLimitRanges, checkQuota } from "./quota";
import { jsonPatch, mergePatch } from "./patch";
import { apiVersionOf, Registry, storeKey, type ResourceType } from "./registry";
import { Store } from "./store";
import { strategicMerge } from "./strategic";
import { clone, deepEqual, isObj, nowIso, type KObject } from "./types";
import { validate } from "./validation";

export interface WriteOptions {
  fieldManager?: string;
  fieldValidation?: string;
  subresource?: string;
  dryRun?: boolean;
  /** Collects warnings (e.g. unknown fields under fieldValidation=Warn) for the response headers. */
  warnings?: string[];
  /** Set for server-side apply, whose result already carries its managed fields. */
  applied?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

const nameChars = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(n = 5): string {
  return [...randomBytes(n)].map((b) => nameChars[b % nameChars.length]).join("");
}

function content(o: KObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

function withoutVolatile(o: KObject): KObject {
  const c = { ...o, metadata: { ...o.metadata } };
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  return c;
}

/**
 * One Kubernetes API's objects and write semantics (the host cluster, or one virtual cluster): what the
 * apiserver's generic registry does for every kind — admission, defaulting, validation, optimistic
 * concurrency, generations, managed fields, finalizers and graceful namespace deletion.
 */
export class Cluster {
  readonly registry = new Registry();
  /** Its kubelets' container output, which the pods/log subresource reads. */
  readonly logs = new ContainerLogs();

  constructor(readonly store: Store) {}

  rt(group: string, plural: string): ResourceType {
    const rt = this.registry.byGroupResource(group, plural);
    if (!rt) throw errors.pathNotFound();
    return rt;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.store.get(storeKey(rt), rt.namespaced ? ns : undefined, name);
    if (!o) throw errors.notFound(rt, name);
    return o;
  }

  find(rt: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    return this.store.get(storeKey(rt), rt.namespaced ? ns : undefined, name);
  }

  list(rt: ResourceType, ns?: string): KObject[] {
    return this.store.list(storeKey(rt), rt.namespaced ? ns : undefined);
  }

  private checkNamespace(rt: ResourceType, ns: string | undefined, name: string): void {
    if (!rt.namespaced) return;
    if (!ns) throw errors.badRequest("the server could not find the requested resource: a namespace is required");
    const nsObj = this.store.get("namespaces", undefined, ns);
    if (!nsObj) throw errors.notFound({ group: "", plural: "namespaces" }, ns);
    if (nsObj.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        "Forbidden",
        `${rt.group ? `${rt.plural}.${rt.group}` : rt.plural} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          name,
          kind: rt.plural,
          causes: [
            {
              reason: "NamespaceTerminating",
              message: `namespace ${ns} is being terminated`,
              field: "metadata.namespace",
            },
          ],
        },
      );
    }
  }

  private normalize(rt: ResourceType, ns: string | undefined, body: unknown, opts: WriteOptions): KObject {
    if (!isObj(body)) throw errors.badRequest("the body of the request could not be decoded as an object");
    const o = clone(body) as KObject;
    if (!isObj(o.metadata)) o.metadata = {};
    if (o.kind !== undefined && o.kind !== rt.kind)
      throw errors.badRequest(
        `the kind in the body (${String(o.kind)}) does not match the kind of the resource (${rt.kind})`,
      );
    o.apiVersion = apiVersionOf(rt);
    o.kind = rt.kind;
    if (rt.namespaced) {
      if (o.metadata.namespace && ns && o.metadata.namespace !== ns) {
        throw errors.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      o.metadata.namespace = ns;
    } else delete o.metadata.namespace;
    const warnings = checkUnknownFields(o, rt.kind, rt.schema, opts.fieldValidation ?? "Warn");
    opts.warnings?.push(...warnings);
    return o;
  }

  private admit(rt: ResourceType, o: KObject, old?: KObject): void {
    rt.defaults?.(o);
    if (rt.kind === "Service") allocateNodePorts(o, old, this.store.list("services"));
    if (rt.kind === "Service" && isObj(o.spec) && o.spec.type !== "ExternalName" && !o.spec.clusterIP) {
      o.spec.clusterIP = this.freeClusterIp();
      o.spec.clusterIPs = [o.spec.clusterIP];
    }
    validate(rt, o);
  }

  /** The ServiceAccount admission plugin: a pod may only be created with a ServiceAccount that exists. */
  private checkServiceAccount(pod: KObject): void {
    const spec = isObj(pod.spec) ? pod.spec : {};
    const sa =
      (typeof spec.serviceAccountName === "string" && spec.serviceAccountName) ||
      (typeof spec.serviceAccount === "string" && spec.serviceAccount) ||
      "default";
    const ns = pod.metadata.namespace ?? "";
    if (this.store.get("serviceaccounts", ns, sa)) return;
    throw new ApiError(
      403,
      "Forbidden",
      `pods "${pod.metadata.name ?? ""}" is forbidden: error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found`,
      { name: pod.metadata.name, kind: "pods" },
    );
  }

  /** The next unused address of the 10.96.0.0/16 service range (10.96.0.1 stays the API's own). */
  private freeClusterIp(): string {
    const used = new Set(this.store.list("services").map((s) => (isObj(s.spec) ? s.spec.clusterIP : undefined)));
    for (let i = 10; ; i++) {
      const ip = `10.96.${(i >> 8) & 255}.${i & 255}`;
      if (!used.has(ip)) return ip;
    }
  }

  create(rt: ResourceType, ns: string | undefined, body: unknown, opts: WriteOptions = {}): KObject {
    const o = this.normalize(rt, ns, body, opts);
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${randomSuffix()}`;
    const name = o.metadata.name ?? "";
    if (!name) {
      throw errors.invalid(rt.kind, rt.group, "", [
        {
          reason: "FieldValueRequired",
          field: "metadata.name",
          message: "Required value: name or generateName is required",
        },
      ]);
    }
    if (o.metadata.resourceVersion) {
      throw errors.badRequest("resourceVersion should not be set on objects to be created");
    }
    this.checkNamespace(rt, o.metadata.namespace, name);
    if (this.find(rt, o.metadata.namespace, name)) throw errors.alreadyExists(rt, name);
    if (rt.kind === "Pod") this.checkServiceAccount(o);
    if (rt.status && rt.kind !== "Node") delete o.status;
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = nowIso();
    o.metadata.generation = 1;
    delete o.metadata.deletionTimestamp;
    if (!opts.applied) delete o.metadata.managedFields;
    if (rt.kind === "Pod") applyLimitRanges(this.store, o);
    this.admit(rt, o);
    checkQuota(this.store, rt, o);
    if (opts.fieldManager && !opts.applied) recordUpdate(undefined, o, opts.fieldManager, apiVersionOf(rt));
    if (opts.dryRun) return o;
    return this.store.put(storeKey(rt), o);
  }

  /** Creates obj unless an object of that name exists; returns whichever is stored. */
  ensure(rt: ResourceType, ns: string | undefined, body: KObject): KObject {
    const existing = this.find(rt, ns, body.metadata.name ?? "");
    return existing ?? this.create(rt, ns, body);
  }

  update(rt: ResourceType, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): KObject {
    const old = this.get(rt, ns, name);
    const o = this.normalize(rt, ns, body, opts);
    if (o.metadata.name !== name)
      throw errors.badRequest(
        `the name of the object (${o.metadata.name ?? ""}) does not match the name on the URL (${name})`,
      );
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        rt,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    return this.commit(rt, old, o, opts);
  }

  private commit(rt: ResourceType, old: KObject, incoming: KObject, opts: WriteOptions): KObject {
    let o: KObject;
    if (opts.subresource === "status") {
      o = { ...clone(old), status: incoming.status };
    } else {
      o = incoming;
      if (rt.status) o.status = clone(old.status);
      o.metadata.generation = old.metadata.generation;
    }
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = old.metadata.creationTimestamp;
    o.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    if (!o.metadata.deletionTimestamp) delete o.metadata.deletionTimestamp;
    if (opts.subresource !== "status" && !deepEqual(content(o), content(old)))
      o.metadata.generation = (old.metadata.generation ?? 0) + 1;
    // A client that rewrites managedFields itself (kubectl migrating client-side apply to server-side) is
    // taken at its word, as the apiserver does; otherwise the server keeps tracking them.
    const untimed = (x: KObject) => (x.metadata.managedFields ?? []).map((e) => ({ ...e, time: "" }));
    const clientManaged =
      !opts.applied &&
      incoming.metadata.managedFields !== undefined &&
      opts.subresource !== "status" &&
      !deepEqual(untimed(o), untimed(old));
    if (!opts.applied && !clientManaged) o.metadata.managedFields = old.metadata.managedFields;
    this.admit(rt, o, old);
    const sameManagers = deepEqual(untimed(o), untimed(old));
    if (deepEqual(withoutVolatile(o), withoutVolatile(old)) && sameManagers) return old;
    if (opts.fieldManager && !opts.applied && !clientManaged)
      recordUpdate(old, o, opts.fieldManager, apiVersionOf(rt), opts.subresource);
    if (opts.dryRun) return o;
    if (o.metadata.deletionTimestamp && this.finalized(rt, o)) {
      this.store.remove(storeKey(rt), o);
      return o;
    }
    return this.store.put(storeKey(rt), o);
  }

  private finalized(rt: ResourceType, o: KObject): boolean {
    if ((o.metadata.finalizers ?? []).length > 0) return false;
    if (rt.kind === "Namespace" && isObj(o.spec) && Array.isArray(o.spec.finalizers) && o.spec.finalizers.length > 0)
      return false;
    return true;
  }

  patch(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    opts: WriteOptions & { force?: boolean } = {},
  ): KObject {
    const old = this.find(rt, ns, name);
    if (type === "apply") {
      if (!isObj(body)) throw errors.badRequest("apply patch must be an object");
      const config = this.normalize(rt, ns, body, opts);
      if (config.metadata.name !== name)
        throw errors.badRequest(
          `the name of the object (${config.metadata.name ?? ""}) does not match the name on the URL (${name})`,
        );
      const manager = opts.fieldManager;
      if (!manager)
        throw errors.badRequest("PATCH requests with apply content type require a fieldManager query parameter");
      const merged = serverSideApply(old, config, manager, opts.force === true, apiVersionOf(rt), opts.subresource);
      if (!old) return this.create(rt, ns, merged, { ...opts, applied: true });
      return this.commit(rt, old, merged, { ...opts, applied: true });
    }
    if (!old) throw errors.notFound(rt, name);
    const base = clone(old);
    const patched =
      type === "json" ? jsonPatch(base, body) : type === "merge" ? mergePatch(base, body) : strategicMerge(base, body);
    if (!isObj(patched)) throw errors.badRequest("the patch did not produce an object");
    const o = this.normalize(rt, ns, patched, opts);
    if (o.metadata.name !== name)
      throw errors.badRequest("metadata.name: Invalid value: the name of the object cannot be changed by a patch");
    if (o.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        rt,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    return this.commit(rt, old, o, opts);
  }

  /** Deletes now, or marks for deletion while finalizers remain; returns the object as it is left. */
  delete(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): { obj: KObject; gone: boolean } {
    const old = this.get(rt, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(
        rt,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ""}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        rt,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ""}`,
      );
    }
    // A second delete of a namespace that is still terminating is refused, as the namespace storage does
    // (kubernetes pkg/registry/core/namespace/storage/storage.go, Delete: a DeletionTimestamp with spec.finalizers
    // left is a Conflict), rather than answered with the namespace again.
    const specFinalizers = isObj(old.spec) && Array.isArray(old.spec.finalizers) ? old.spec.finalizers : [];
    if (rt.kind === "Namespace" && old.metadata.deletionTimestamp && specFinalizers.length > 0) {
      throw errors.conflict(
        rt,
        name,
        "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.",
      );
    }
    if (opts.dryRun) return { obj: old, gone: true };
    const o = clone(old);
    const finalizers = new Set(o.metadata.finalizers ?? []);
    if (opts.propagationPolicy === "Foreground") finalizers.add("foregroundDeletion");
    if (opts.propagationPolicy === "Orphan") finalizers.add("orphan");
    o.metadata.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!o.metadata.finalizers) delete o.metadata.finalizers;
    if (rt.kind === "Namespace") {
      o.status = { ...(isObj(o.status) ? o.status : {}), phase: "Terminating" };
    }
    if (this.finalized(rt, o)) {
      return { obj: this.store.remove(storeKey(rt), o) ?? o, gone: true };
    }
    if (!o.metadata.deletionTimestamp) {
      o.metadata.deletionTimestamp = nowIso();
      o.metadata.deletionGracePeriodSeconds = 0;
    }
    if (deepEqual(o, old)) return { obj: old, gone: false };
    return { obj: this.store.put(storeKey(rt), o), gone: false };
  }

  /** Removes a custom resource type's objects when its CRD goes. */
  dropAll(rt: ResourceType): void {
    for (const o of this.store.list(storeKey(rt))) this.store.remove(storeKey(rt), o);
  }

  recordEvent(about: KObject, type: "Normal" | "Warning", reason: string, message: string, component: string): void {
    const ns = about.metadata.namespace ?? "default";
    if (
      !this.store.get("namespaces", undefined, ns) ||
      this.store.get("namespaces", undefined, ns)?.metadata.deletionTimestamp
    )
      return;
    const now = nowIso();
    this.create(this.rt("", "events"), ns, {
      metadata: { name: `${about.metadata.name ?? "object"}.${randomBytes(8).toString("hex")}`, namespace: ns },
      involvedObject: {
        kind: about.kind,
        namespace: about.metadata.namespace,
        name: about.metadata.name,
        uid: about.metadata.uid,
        apiVersion: about.apiVersion,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: "",
    });
  }
}
