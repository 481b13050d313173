import type { ResourceType } from "./registry";
import type { KObject } from "./types";

export function partialMetadata(o: KObject) {
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata };
}

export function columnDefinitions(rt: ResourceType) {
  return rt.columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? "",
    description: c.description ?? c.name,
    priority: c.priority ?? 0,
  }));
}

/** A meta.k8s.io/v1 Table, as kubectl get asks for: server-side printed columns plus each object's metadata. */
export function toTable(
  rt: ResourceType,
  items: KObject[],
  opts: { includeObject?: string; withColumns?: boolean; listMeta?: Record<string, unknown> },
) {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: opts.listMeta ?? {},
    ...(opts.withColumns === false ? {} : { columnDefinitions: columnDefinitions(rt) }),
    rows: items.map((o) => ({
      cells: rt.columns.map((c) => c.cell(o)),
      object: opts.includeObject === "None" ? undefined : opts.includeObject === "Object" ? o : partialMetadata(o),
    })),
  };
}
