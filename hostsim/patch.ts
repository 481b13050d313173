import { errors } from "./errors";
import { clone, deepEqual, isObj, type Obj } from "./types";

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw errors.badRequest(`invalid JSON pointer "${p}"`);
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Obj | unknown[];

function resolveParent(doc: unknown, path: string[], op: string): { parent: Container; last: string } {
  let cur = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined)
      throw errors.internal(`jsonpatch ${op} operation does not apply: doc is missing path: /${path.join("/")}`);
  }
  if (!Array.isArray(cur) && !isObj(cur))
    throw errors.internal(`jsonpatch ${op} operation does not apply: doc is missing path: /${path.join("/")}`);
  return { parent: cur, last: path[path.length - 1] };
}

function getAt(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function removeAt(doc: unknown, path: string[]): unknown {
  const { parent, last } = resolveParent(doc, path, "remove");
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length))
      throw errors.internal(`jsonpatch remove operation does not apply: doc is missing path: /${path.join("/")}`);
    return parent.splice(i, 1)[0];
  }
  if (!(last in parent))
    throw errors.internal(`jsonpatch remove operation does not apply: doc is missing path: /${path.join("/")}`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: unknown, path: string[], value: unknown, replace: boolean): unknown {
  if (path.length === 0) return value;
  const { parent, last } = resolveParent(doc, path, replace ? "replace" : "add");
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length))
      throw errors.internal(`jsonpatch add operation does not apply: index out of range`);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else {
    if (replace && !(last in parent))
      throw errors.internal(`jsonpatch replace operation does not apply: doc is missing key: /${path.join("/")}`);
    parent[last] = value;
  }
  return doc;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw errors.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let out = clone(doc);
  for (const op of ops) {
    if (!isObj(op) || typeof op.op !== "string" || typeof op.path !== "string")
      throw errors.badRequest("invalid JSON patch operation");
    const path = parsePointer(op.path);
    switch (op.op) {
      case "add":
        out = addAt(out, path, clone(op.value), false);
        break;
      case "replace":
        out = addAt(out, path, clone(op.value), true);
        break;
      case "remove":
        removeAt(out, path);
        break;
      case "move":
      case "copy": {
        const from = parsePointer(String(op.from));
        const v = op.op === "move" ? removeAt(out, from) : clone(getAt(out, from));
        out = addAt(out, path, v, false);
        break;
      }
      case "test":
        if (!deepEqual(getAt(out, path), op.value))
          throw errors.internal(`testing value /${path.join("/")} failed: test failed`);
        break;
      default:
        throw errors.badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return out;
}
