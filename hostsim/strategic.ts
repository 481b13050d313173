import { clone, deepEqual, isObj, type Obj } from "./types";

/** Merge keys of the associative lists in the built-in types (patchMergeKey in their Go structs). */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  volumeClaimTemplates: "metadata.name",
};

/** Lists of scalars whose patch strategy is merge (a set union), not replace. */
const mergedScalarLists = new Set(["finalizers"]);

/** The merge key of a list, or undefined when the list is atomic. */
export function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === "ports") {
    const first = items.find(isObj);
    return first && "containerPort" in first ? "containerPort" : "port";
  }
  return mergeKeys[field];
}

function keyOf(item: unknown, mk: string): unknown {
  if (!isObj(item)) return undefined;
  if (mk === "metadata.name") return isObj(item.metadata) ? item.metadata.name : undefined;
  return item[mk];
}

function mergeList(original: unknown, patch: unknown[], field: string, order: unknown[] | undefined): unknown[] {
  const orig = Array.isArray(original) ? original : [];
  if (patch.some((p) => isObj(p) && p.$patch === "replace")) {
    return patch.filter((p) => !(isObj(p) && p.$patch === "replace")).map(clone);
  }
  const objectItems = patch.length ? patch.every(isObj) : orig.every(isObj) && orig.length > 0;
  if (!objectItems) {
    if (!mergedScalarLists.has(field)) return patch.map(clone);
    const union = [...orig];
    for (const p of patch) if (!union.some((o) => deepEqual(o, p))) union.push(p);
    return order ? sortBy(union, order, (x) => x) : union;
  }
  const mk = mergeKeyFor(field, [...patch, ...orig]);
  if (!mk) return patch.map(clone);
  let out = orig.map(clone);
  for (const p of patch) {
    if (!isObj(p)) continue;
    const k = keyOf(p, mk);
    const idx = out.findIndex((o) => deepEqual(keyOf(o, mk), k));
    if (p.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], p);
    else out.push(strategicMerge({}, p));
  }
  out = out.filter((x) => x !== undefined);
  return order
    ? sortBy(
        out,
        order.map((o) => keyOf(o, mk)),
        (x) => keyOf(x, mk),
      )
    : out;
}

/** Orders items as listed in order; items not listed keep their relative order after the listed ones. */
function sortBy(items: unknown[], order: unknown[], key: (x: unknown) => unknown): unknown[] {
  const rank = (x: unknown) => {
    const i = order.findIndex((o) => deepEqual(o, key(x)));
    return i < 0 ? order.length : i;
  };
  return items
    .map((x, i) => ({ x, i }))
    .sort((a, b) => rank(a.x) - rank(b.x) || a.i - b.i)
    .map((e) => e.x);
}

/**
 * Strategic merge patch as the apiserver applies it to built-in types: associative lists merge by key,
 * and the directives $patch, $retainKeys, $setElementOrder/<list> and $deleteFromPrimitiveList/<list> apply.
 */
export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === "delete") return undefined;
  const base: Obj = isObj(original) ? { ...original } : {};
  if (patch.$patch === "replace") {
    const out = clone(patch);
    delete out.$patch;
    return out;
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const k of Object.keys(base)) if (!keep.has(k)) delete base[k];
  }
  const orders = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$setElementOrder/") && Array.isArray(v)) orders.set(k.slice("$setElementOrder/".length), v);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const drop = Array.isArray(v) ? v : [];
      const cur = base[field];
      if (Array.isArray(cur)) base[field] = cur.filter((x) => !drop.some((d) => deepEqual(d, x)));
      continue;
    }
    if (v === null) delete base[k];
    else if (Array.isArray(v)) base[k] = mergeList(base[k], v, k, orders.get(k));
    else if (isObj(v)) {
      const merged = strategicMerge(base[k], v);
      if (merged === undefined) delete base[k];
      else base[k] = merged;
    } else base[k] = v;
  }
  for (const [field, order] of orders) {
    if (!(field in patch) && Array.isArray(base[field])) base[field] = mergeList(base[field], [], field, order);
  }
  return base;
}
