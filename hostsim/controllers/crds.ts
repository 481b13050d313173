import { columns as c, type Column } from "../columns";
import type { Cluster } from "../cluster";
import type { ResourceType } from "../registry";
import { arr, clone, isObj, nowIso, objs, readJsonPath, str, type KObject, type Obj } from "../types";
import { specOf, statusOf, writeStatus } from "./context";

function printerColumns(version: Obj): Column[] {
  const extra = objs(version.additionalPrinterColumns).map<Column>((col) => ({
    name: str(col.name),
    type: (["integer", "number", "boolean", "date"].includes(str(col.type))
      ? str(col.type)
      : "string") as Column["type"],
    priority: typeof col.priority === "number" ? col.priority : 0,
    description: str(col.description),
    cell: (o: KObject) => {
      const v = readJsonPath(o, str(col.jsonPath));
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        ? v
        : v === undefined
          ? ""
          : JSON.stringify(v);
    },
  }));
  return [c.name, ...extra.filter((col) => col.name !== "Age"), c.age];
}

/** The resource types a CRD defines, one per served version. */
export function typesOf(crd: KObject): ResourceType[] {
  const spec = specOf(crd);
  const names = isObj(spec.names) ? spec.names : {};
  return objs(spec.versions)
    .filter((v) => v.served !== false)
    .map((v) => {
      const sub = isObj(v.subresources) ? v.subresources : {};
      const scale = isObj(sub.scale) ? sub.scale : undefined;
      return {
        group: str(spec.group),
        version: str(v.name),
        kind: str(names.kind),
        plural: str(names.plural),
        singular: str(names.singular, str(names.kind).toLowerCase()),
        namespaced: str(spec.scope, "Namespaced") === "Namespaced",
        shortNames: arr(names.shortNames).map((x) => str(x)),
        categories: arr(names.categories).map((x) => str(x)),
        status: isObj(sub.status),
        scale: scale
          ? {
              specReplicasPath: str(scale.specReplicasPath),
              statusReplicasPath: str(scale.statusReplicasPath),
              labelSelectorPath: str(scale.labelSelectorPath) || undefined,
            }
          : undefined,
        columns: printerColumns(v),
        fieldSelectors: ["metadata.name", "metadata.namespace"],
        schema: isObj(v.schema) ? v.schema.openAPIV3Schema : undefined,
        crd: true,
      };
    });
}

/** Serves custom resources as soon as their CRD is stored, marks it Established, and drops them with it. */
export function startCrds(cluster: Cluster): () => void {
  const crds = cluster.rt("apiextensions.k8s.io", "customresourcedefinitions");
  const register = (crd: KObject) => {
    const spec = specOf(crd);
    const names = isObj(spec.names) ? spec.names : {};
    cluster.registry.removeGroupResource(str(spec.group), str(names.plural));
    for (const t of typesOf(crd)) cluster.registry.add(t);
  };
  const establish = (crd: KObject) => {
    const spec = specOf(crd);
    const storage = objs(spec.versions).find((v) => v.storage === true) ?? objs(spec.versions)[0];
    const prev = objs(statusOf(crd).conditions);
    const cond = (type: string, reason: string, message: string) =>
      prev.find((x) => x.type === type && x.status === "True") ?? {
        type,
        status: "True",
        lastTransitionTime: nowIso(),
        reason,
        message,
      };
    writeStatus(cluster, crds, crd, {
      acceptedNames: clone(spec.names),
      conditions: [
        cond("NamesAccepted", "NoConflicts", "no conflicts found"),
        cond("Established", "InitialNamesAccepted", "the initial names have been accepted"),
      ],
      storedVersions: [str(storage?.name)],
    });
  };
  for (const crd of cluster.list(crds)) register(crd);
  let stopped = false;
  const unsubscribe = cluster.store.subscribe((e) => {
    if (e.res !== "customresourcedefinitions.apiextensions.k8s.io") return;
    const spec = specOf(e.obj);
    const plural = str(isObj(spec.names) ? spec.names.plural : "");
    if (e.type === "DELETED") {
      const rt = cluster.registry.byGroupResource(str(spec.group), plural);
      if (rt) cluster.dropAll(rt);
      cluster.registry.removeGroupResource(str(spec.group), plural);
      return;
    }
    register(e.obj);
    if (!objs(statusOf(e.obj).conditions).some((x) => x.type === "Established")) {
      setImmediate(() => {
        const current = stopped ? undefined : cluster.find(crds, undefined, e.obj.metadata.name ?? "");
        if (current) establish(current);
      });
    }
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
