import { ApiError } from "./errors";
import { mergeKeyFor, strategicMerge } from "./strategic";
import { clone, deepEqual, isObj, nowIso, type KObject, type ManagedFieldsEntry, type Obj } from "./types";

/** A field path as server-side apply names it: "f:spec", "k:{\"name\":\"x\"}", or "." for a list item itself. */
type FieldPath = string[];

const enc = (p: FieldPath): string => JSON.stringify(p);
const dec = (s: string): FieldPath => JSON.parse(s) as FieldPath;

const skipTop = new Set(["apiVersion", "kind", "status"]);
const ownedMeta = new Set(["labels", "annotations", "finalizers", "ownerReferences"]);

function itemKey(item: Obj, mk: string): string {
  const v = mk === "metadata.name" ? (isObj(item.metadata) ? item.metadata.name : undefined) : item[mk];
  return `k:${JSON.stringify(mk === "metadata.name" ? { metadata: { name: v } } : { [mk]: v })}`;
}

function walk(v: unknown, field: string, prefix: FieldPath, out: Set<string>): void {
  if (isObj(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) walk(child, k, [...prefix, `f:${k}`], out);
    return;
  }
  if (Array.isArray(v) && v.length > 0 && v.every(isObj)) {
    const mk = mergeKeyFor(field, v);
    if (mk) {
      for (const item of v) {
        const p = [...prefix, itemKey(item, mk)];
        out.add(enc([...p, "."]));
        for (const [k, child] of Object.entries(item)) walk(child, k, [...p, `f:${k}`], out);
      }
      return;
    }
  }
  out.add(enc(prefix));
}

/** The leaf fields an object (or an apply configuration) sets, as encoded paths. */
export function fieldSet(o: Obj, subresource?: string): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(o)) {
    if (subresource === "status" ? k !== "status" : skipTop.has(k)) continue;
    if (k === "metadata" && isObj(v)) {
      for (const [mk, mv] of Object.entries(v)) if (ownedMeta.has(mk)) walk(mv, mk, ["f:metadata", `f:${mk}`], out);
      continue;
    }
    walk(v, k, [`f:${k}`], out);
  }
  return out;
}

export function toFieldsV1(set: Set<string>): Obj {
  const root: Obj = {};
  for (const s of set) {
    let cur = root;
    for (const pe of dec(s)) {
      const next = cur[pe];
      if (isObj(next)) cur = next;
      else {
        const created: Obj = {};
        cur[pe] = created;
        cur = created;
      }
    }
  }
  return root;
}

export function fromFieldsV1(f: Obj): Set<string> {
  const out = new Set<string>();
  const rec = (node: Obj, prefix: FieldPath) => {
    const keys = Object.keys(node);
    if (keys.length === 0) out.add(enc(prefix));
    for (const k of keys) {
      const child = node[k];
      rec(isObj(child) ? child : {}, [...prefix, k]);
    }
  };
  rec(f, []);
  return out;
}

function valueAt(o: unknown, path: FieldPath): unknown {
  let cur = o;
  for (const pe of path) {
    if (pe === ".") return cur;
    if (pe.startsWith("f:")) {
      cur = isObj(cur) ? cur[pe.slice(2)] : undefined;
    } else if (pe.startsWith("k:")) {
      const want = JSON.parse(pe.slice(2)) as Obj;
      cur = Array.isArray(cur)
        ? cur.find((item) => isObj(item) && Object.entries(want).every(([k, v]) => deepEqual(item[k], v)))
        : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

function removeAt(o: Obj, path: FieldPath): void {
  const parentPath = path[path.length - 1] === "." ? path.slice(0, -2) : path.slice(0, -1);
  const last = path[path.length - 1] === "." ? path[path.length - 2] : path[path.length - 1];
  const parent = valueAt(o, parentPath);
  if (last.startsWith("f:") && isObj(parent)) delete parent[last.slice(2)];
  if (last.startsWith("k:") && Array.isArray(parent)) {
    const item = valueAt(o, [...parentPath, last]);
    const i = parent.indexOf(item);
    if (i >= 0) parent.splice(i, 1);
  }
}

const displayPath = (p: string): string =>
  dec(p)
    .filter((pe) => pe !== ".")
    .map((pe) => (pe.startsWith("f:") ? `.${pe.slice(2)}` : `[${pe.slice(2)}]`))
    .join("");

interface Managers {
  entries: ManagedFieldsEntry[];
  sets: Set<string>[];
}

function load(o: KObject | undefined): Managers {
  const entries = clone(o?.metadata.managedFields ?? []);
  return { entries, sets: entries.map((e) => fromFieldsV1(e.fieldsV1)) };
}

function store(m: Managers): ManagedFieldsEntry[] | undefined {
  const out: ManagedFieldsEntry[] = [];
  m.entries.forEach((e, i) => {
    if (m.sets[i].size > 0) out.push({ ...e, fieldsV1: toFieldsV1(m.sets[i]) });
  });
  return out.length ? out : undefined;
}

function entryFor(
  m: Managers,
  manager: string,
  operation: "Apply" | "Update",
  apiVersion: string,
  subresource: string | undefined,
): number {
  let i = m.entries.findIndex(
    (e) => e.manager === manager && e.operation === operation && (e.subresource ?? "") === (subresource ?? ""),
  );
  if (i < 0) {
    m.entries.push({
      manager,
      operation,
      apiVersion,
      time: nowIso(),
      fieldsType: "FieldsV1",
      fieldsV1: {},
      ...(subresource ? { subresource } : {}),
    });
    m.sets.push(new Set());
    i = m.entries.length - 1;
  }
  m.entries[i].time = nowIso();
  m.entries[i].apiVersion = apiVersion;
  return i;
}

/** Records an Update by manager: the fields it changed become its own and leave other managers. */
export function recordUpdate(
  old: KObject | undefined,
  next: KObject,
  manager: string,
  apiVersion: string,
  subresource?: string,
): void {
  const m = load(old);
  const before = old ? fieldSet(old, subresource) : new Set<string>();
  const after = fieldSet(next, subresource);
  const changed = new Set<string>();
  for (const p of after) if (!before.has(p) || !deepEqual(valueAt(old, dec(p)), valueAt(next, dec(p)))) changed.add(p);
  const removed = [...before].filter((p) => !after.has(p));
  if (changed.size > 0) {
    const i = entryFor(m, manager, "Update", apiVersion, subresource);
    for (const p of changed) m.sets[i].add(p);
  }
  m.sets.forEach((s, j) => {
    if (m.entries[j].manager === manager && m.entries[j].operation === "Update") return;
    for (const p of changed) s.delete(p);
  });
  for (const s of m.sets) for (const p of removed) s.delete(p);
  next.metadata.managedFields = store(m);
}

/**
 * Server-side apply of config by manager onto live (undefined to create): conflicts with other managers
 * owning a field with a different value are refused unless forced; fields this manager applied before and
 * no longer applies are removed unless someone else owns them.
 */
export function serverSideApply(
  live: KObject | undefined,
  config: KObject,
  manager: string,
  force: boolean,
  apiVersion: string,
  subresource?: string,
): KObject {
  const m = load(live);
  const applied = fieldSet(config, subresource);
  const me = entryFor(m, manager, "Apply", apiVersion, subresource);
  const conflicts: { path: string; manager: string; set: Set<string> }[] = [];
  m.sets.forEach((s, j) => {
    if (j === me) return;
    for (const p of applied) {
      if (s.has(p) && !deepEqual(valueAt(live, dec(p)), valueAt(config, dec(p))))
        conflicts.push({ path: p, manager: m.entries[j].manager, set: s });
    }
  });
  if (force || conflicts.every((c) => lastApplied(live).has(c.path))) {
    for (const c of conflicts) c.set.delete(c.path);
    conflicts.length = 0;
  }
  if (conflicts.length > 0) {
    const lines = conflicts.map((c) => `conflict with "${c.manager}": ${displayPath(c.path)}`);
    throw new ApiError(
      409,
      "Conflict",
      `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: ${lines.join("\n")}`,
      {
        causes: conflicts.map((c) => ({
          reason: "FieldManagerConflict",
          message: `conflict with "${c.manager}"`,
          field: displayPath(c.path),
        })),
      },
    );
  }
  const base = clone(live ?? { metadata: {} }) as KObject;
  for (const p of m.sets[me]) {
    if (applied.has(p)) continue;
    if (m.sets.some((s, j) => j !== me && s.has(p))) continue;
    removeAt(base, dec(p));
  }
  m.sets[me] = applied;
  const merged = strategicMerge(base, stripApplyOnly(config)) as KObject;
  merged.metadata.managedFields = store(m);
  return merged;
}

/**
 * Fields of kubectl's last-applied-configuration annotation: like the apiserver, an apply that only conflicts
 * on those takes them over, so moving from client-side to server-side apply needs no --force-conflicts.
 */
function lastApplied(live: KObject | undefined): Set<string> {
  const raw = live?.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
  if (!raw) return new Set();
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObj(parsed) ? fieldSet(parsed) : new Set();
  } catch {
    return new Set();
  }
}

function stripApplyOnly(config: KObject): KObject {
  const c = clone(config);
  delete c.metadata.managedFields;
  delete c.metadata.resourceVersion;
  return c;
}
