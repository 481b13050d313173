import { ApiError } from "./errors";
import { parseQuantity } from "./quantity";
import { storeKey, type ResourceType } from "./registry";
import type { Store } from "./store";
import { isObj, objs, str, type KObject, type Obj } from "./types";

const terminal = (p: KObject) => ["Succeeded", "Failed"].includes(str(isObj(p.status) ? p.status.phase : undefined));

function containers(p: KObject): Obj[] {
  return isObj(p.spec) ? objs(p.spec.containers) : [];
}

function resourceList(c: Obj, kind: "requests" | "limits"): Obj {
  return isObj(c.resources) && isObj(c.resources[kind]) ? c.resources[kind] : {};
}

/** What one object counts against each quota resource name. */
function charge(res: string, o: KObject): Map<string, number> {
  const m = new Map<string, number>();
  const add = (k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const plural = res.split(".")[0];
  add(`count/${res}`, 1);
  if (
    [
      "configmaps",
      "secrets",
      "services",
      "persistentvolumeclaims",
      "replicationcontrollers",
      "resourcequotas",
    ].includes(plural)
  )
    add(plural, 1);
  if (plural === "pods") {
    if (terminal(o)) return new Map();
    add("pods", 1);
    for (const c of containers(o)) {
      for (const kind of ["requests", "limits"] as const) {
        for (const [r, q] of Object.entries(resourceList(c, kind))) {
          add(`${kind}.${r}`, parseQuantity(String(q)));
          if (kind === "requests") add(r, parseQuantity(String(q)));
        }
      }
    }
  }
  if (
    plural === "persistentvolumeclaims" &&
    isObj(o.spec) &&
    isObj(o.spec.resources) &&
    isObj(o.spec.resources.requests)
  ) {
    add("requests.storage", parseQuantity(String(o.spec.resources.requests.storage ?? "0")));
  }
  return m;
}

/** Usage of the resources a quota tracks, over every object in the namespace. */
export function quotaUsage(store: Store, ns: string, tracked: string[]): Record<string, number> {
  const used: Record<string, number> = Object.fromEntries(tracked.map((t) => [t, 0]));
  const resources = new Set<string>();
  for (const t of tracked) {
    if (t.startsWith("count/")) resources.add(t.slice("count/".length));
    else if (["configmaps", "secrets", "services", "persistentvolumeclaims", "resourcequotas"].includes(t))
      resources.add(t);
    else if (t === "requests.storage") resources.add("persistentvolumeclaims");
    else resources.add("pods");
  }
  for (const res of resources) {
    for (const o of store.list(res, ns)) {
      for (const [k, v] of charge(res, o)) if (k in used) used[k] += v;
    }
  }
  return used;
}

export function formatQuantity(resource: string, v: number): string {
  if (/cpu$/.test(resource) && !Number.isInteger(v)) return `${Math.round(v * 1000)}m`;
  if (/memory$|storage$/.test(resource) && v >= 1024 && v % 1024 === 0) {
    for (const [suffix, size] of [
      ["Gi", 2 ** 30],
      ["Mi", 2 ** 20],
      ["Ki", 2 ** 10],
    ] as const)
      if (v % size === 0) return `${v / size}${suffix}`;
  }
  return String(Math.round(v * 1000) / 1000);
}

/** LimitRange admission: containers without requests or limits get the namespace's defaults. */
export function applyLimitRanges(store: Store, pod: KObject): void {
  const ranges = store.list("limitranges", pod.metadata.namespace);
  for (const lr of ranges) {
    for (const limit of objs(isObj(lr.spec) ? lr.spec.limits : [])) {
      if (limit.type !== "Container") continue;
      for (const c of containers(pod)) {
        const resources = (isObj(c.resources) ? c.resources : (c.resources = {})) as Obj;
        const limits = (isObj(resources.limits) ? resources.limits : {}) as Obj;
        const requests = (isObj(resources.requests) ? resources.requests : {}) as Obj;
        for (const [r, q] of Object.entries(isObj(limit.default) ? limit.default : {}))
          if (limits[r] === undefined) limits[r] = q;
        for (const [r, q] of Object.entries(isObj(limit.defaultRequest) ? limit.defaultRequest : {}))
          if (requests[r] === undefined) requests[r] = q;
        for (const [r, q] of Object.entries(limits)) if (requests[r] === undefined) requests[r] = q;
        if (Object.keys(limits).length) resources.limits = limits;
        if (Object.keys(requests).length) resources.requests = requests;
      }
    }
  }
}

/** ResourceQuota admission: refuses a create that would take the namespace over any hard limit. */
export function checkQuota(store: Store, rt: ResourceType, o: KObject): void {
  const ns = o.metadata.namespace;
  if (!ns) return;
  const res = storeKey(rt);
  for (const q of store.list("resourcequotas", ns)) {
    const hard = isObj(q.spec) && isObj(q.spec.hard) ? q.spec.hard : {};
    const tracked = Object.keys(hard);
    const adding = charge(res, o);
    const relevant = tracked.filter((t) => adding.has(t));
    if (rt.plural === "pods") {
      const missing = tracked.filter(
        (t) => /^(requests|limits)\.(cpu|memory)$|^(cpu|memory)$/.test(t) && !adding.has(t),
      );
      if (missing.length) {
        throw new ApiError(
          403,
          "Forbidden",
          `pods "${o.metadata.name}" is forbidden: failed quota: ${q.metadata.name}: must specify ${missing.join(",")}`,
          { name: o.metadata.name, kind: "pods" },
        );
      }
    }
    if (relevant.length === 0) continue;
    const used = quotaUsage(store, ns, relevant);
    const over = relevant.filter((t) => used[t] + (adding.get(t) ?? 0) > parseQuantity(String(hard[t])) + 1e-9);
    if (over.length) {
      const list = (f: (t: string) => string) => over.map((t) => `${t}=${f(t)}`).join(",");
      throw new ApiError(
        403,
        "Forbidden",
        `${rt.group ? `${rt.plural}.${rt.group}` : rt.plural} "${o.metadata.name}" is forbidden: exceeded quota: ${q.metadata.name}, requested: ${list((t) => formatQuantity(t, adding.get(t) ?? 0))}, used: ${list((t) => formatQuantity(t, used[t]))}, limited: ${list((t) => String(hard[t]))}`,
        { name: o.metadata.name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural },
      );
    }
  }
}
