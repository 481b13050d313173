import type { ServerResponse } from "node:http";
import type { ApiContext, Target } from "./apicontext";
import { errors } from "./errors";
import { jsonPatch, mergePatch } from "./patch";
import type { ResourceType } from "./registry";
import { type ApiRequest, decodeBody, patchTypes, send, writeOptions } from "./request";
import { strategicMerge } from "./strategic";
import { clone, isObj, readJsonPath, type KObject, type Obj } from "./types";

function scaleOf(rt: ResourceType, o: KObject): Obj {
  const scale = rt.scale;
  const selector = scale?.labelSelectorPath ? readJsonPath(o, scale.labelSelectorPath) : undefined;
  const specSelector = readJsonPath(o, ".spec.selector");
  const matchLabels = isObj(specSelector) && isObj(specSelector.matchLabels) ? specSelector.matchLabels : {};
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: Number(readJsonPath(o, scale?.specReplicasPath ?? ".spec.replicas") ?? 0) },
    status: {
      replicas: Number(readJsonPath(o, scale?.statusReplicasPath ?? ".status.replicas") ?? 0),
      selector:
        typeof selector === "string"
          ? selector
          : Object.entries(matchLabels)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(","),
    },
  };
}

function setReplicas(rt: ResourceType, o: KObject, replicas: number): KObject {
  const next = clone(o);
  const path = (rt.scale?.specReplicasPath ?? ".spec.replicas").replace(/^\./, "").split(".");
  let cur: Obj = next;
  for (const p of path.slice(0, -1)) cur = (isObj(cur[p]) ? cur[p] : (cur[p] = {})) as Obj;
  cur[path[path.length - 1]] = replicas;
  return next;
}

/** The autoscaling/v1 Scale subresource of any kind that declares one. */
export function handleScale(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const { cluster } = ctx;
  const name = t.name ?? "";
  const o = cluster.get(t.rt, t.ns, name);
  if (req.method === "GET") return send(res, 200, scaleOf(t.rt, o));
  let desired: unknown;
  if (req.method === "PUT") {
    const body = decodeBody(req, false);
    desired = readJsonPath(body, ".spec.replicas");
    const rv = readJsonPath(body, ".metadata.resourceVersion");
    if (typeof rv === "string" && rv && rv !== o.metadata.resourceVersion) {
      throw errors.conflict(
        t.rt,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
  } else if (req.method === "PATCH") {
    const type = patchTypes[String(req.headers["content-type"] ?? "").split(";")[0]];
    if (!type || type === "apply") throw errors.unsupportedMedia(String(req.headers["content-type"]));
    const patched = clone(scaleOf(t.rt, o));
    const body = decodeBody(req, true);
    const result =
      type === "json"
        ? jsonPatch(patched, body)
        : type === "merge"
          ? mergePatch(patched, body)
          : strategicMerge(patched, body);
    desired = readJsonPath(result, ".spec.replicas");
  } else throw errors.methodNotAllowed(`${req.method} is not supported on scale`);
  if (typeof desired !== "number" || desired < 0)
    throw errors.invalid("Scale", "autoscaling", name, [
      { field: "spec.replicas", message: "Invalid value: must be greater than or equal to 0" },
    ]);
  const updated = cluster.update(t.rt, t.ns, name, setReplicas(t.rt, o, desired), writeOptions(req));
  send(res, 200, scaleOf(t.rt, updated));
}
