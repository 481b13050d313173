import { defaultPodTemplate, defaults } from "./defaults";
import { columns as c, type Column } from "./columns";
import type { KObject } from "./types";

export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One served kind: everything the generic store, handler, discovery and printers need to know about it. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  status: boolean;
  scale?: ScaleSpec;
  columns: Column[];
  fieldSelectors: string[];
  /** Fills in defaults the way the apiserver's defaulting functions do, on create and update. */
  defaults?: (o: KObject) => void;
  /** Discovery verbs of a kind that is not stored but only created and answered (a review). */
  verbs?: string[];
  /** openAPIV3Schema of a custom resource, used for fieldValidation. */
  schema?: unknown;
  crd?: boolean;
}

export const storeKey = (rt: { group: string; plural: string }): string =>
  rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
export const apiVersionOf = (rt: { group: string; version: string }): string =>
  rt.group ? `${rt.group}/${rt.version}` : rt.version;

const baseFields = ["metadata.name", "metadata.namespace"];

type Optional = "singular" | "shortNames" | "categories" | "status" | "columns" | "fieldSelectors";
type Def = Omit<ResourceType, Optional> & Partial<Pick<ResourceType, Optional>>;

function def(d: Def): ResourceType {
  return {
    shortNames: [],
    categories: [],
    status: false,
    columns: [c.name, c.age],
    fieldSelectors: baseFields,
    singular: d.kind.toLowerCase(),
    ...d,
  };
}

const core = (kind: string, plural: string, namespaced: boolean, rest: Partial<Def> = {}) =>
  def({ group: "", version: "v1", kind, plural, namespaced, ...rest });

export function builtinTypes(): ResourceType[] {
  const replicasScale: ScaleSpec = {
    specReplicasPath: ".spec.replicas",
    statusReplicasPath: ".status.replicas",
    labelSelectorPath: ".status.selector",
  };
  return [
    core("Namespace", "namespaces", false, {
      shortNames: ["ns"],
      status: true,
      columns: [c.name, c.path("Status", "status.phase"), c.age],
      fieldSelectors: ["metadata.name", "status.phase"],
      defaults: defaults.namespace,
    }),
    core("Node", "nodes", false, {
      shortNames: ["no"],
      status: true,
      columns: c.node,
      fieldSelectors: ["metadata.name", "spec.unschedulable"],
    }),
    core("Pod", "pods", true, {
      shortNames: ["po"],
      categories: ["all"],
      status: true,
      columns: c.pod,
      fieldSelectors: [...baseFields, "status.phase", "spec.nodeName"],
      defaults: defaults.pod,
    }),
    core("Service", "services", true, {
      shortNames: ["svc"],
      categories: ["all"],
      status: true,
      columns: c.service,
      defaults: defaults.service,
    }),
    core("Endpoints", "endpoints", true, {
      shortNames: ["ep"],
      singular: "endpoints",
      columns: [c.name, c.endpoints, c.age],
    }),
    core("ConfigMap", "configmaps", true, { shortNames: ["cm"], columns: [c.name, c.dataCount, c.age] }),
    core("Secret", "secrets", true, {
      columns: [c.name, c.path("Type", "type"), c.dataCount, c.age],
      fieldSelectors: [...baseFields, "type"],
      defaults: defaults.secret,
    }),
    core("ServiceAccount", "serviceaccounts", true, { shortNames: ["sa"] }),
    core("Event", "events", true, {
      shortNames: ["ev"],
      columns: c.event,
      fieldSelectors: [
        ...baseFields,
        "type",
        "reason",
        "reportingComponent",
        "source",
        ...["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map(
          (f) => `involvedObject.${f}`,
        ),
      ],
    }),
    core("PersistentVolumeClaim", "persistentvolumeclaims", true, {
      shortNames: ["pvc"],
      status: true,
      columns: c.pvc,
      defaults: defaults.pvc,
    }),
    core("ResourceQuota", "resourcequotas", true, { shortNames: ["quota"], status: true, columns: [c.name, c.age] }),
    core("LimitRange", "limitranges", true, { shortNames: ["limits"], columns: [c.name, c.createdAt] }),
    def({
      group: "apps",
      version: "v1",
      kind: "StatefulSet",
      plural: "statefulsets",
      namespaced: true,
      shortNames: ["sts"],
      categories: ["all"],
      status: true,
      scale: replicasScale,
      columns: c.statefulSet,
      defaults: defaults.statefulSet,
    }),
    def({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      plural: "deployments",
      namespaced: true,
      shortNames: ["deploy"],
      categories: ["all"],
      status: true,
      scale: replicasScale,
      columns: c.deployment,
      defaults: defaults.deployment,
    }),
    def({
      group: "apps",
      version: "v1",
      kind: "ReplicaSet",
      plural: "replicasets",
      namespaced: true,
      shortNames: ["rs"],
      categories: ["all"],
      status: true,
      scale: replicasScale,
      columns: c.replicaSet,
      defaults: (o) => defaultPodTemplate(o),
    }),
    def({
      group: "rbac.authorization.k8s.io",
      version: "v1",
      kind: "Role",
      plural: "roles",
      namespaced: true,
      columns: [c.name, c.createdAt],
    }),
    def({
      group: "rbac.authorization.k8s.io",
      version: "v1",
      kind: "RoleBinding",
      plural: "rolebindings",
      namespaced: true,
      columns: c.binding,
    }),
    def({
      group: "rbac.authorization.k8s.io",
      version: "v1",
      kind: "ClusterRole",
      plural: "clusterroles",
      namespaced: false,
      columns: [c.name, c.createdAt],
    }),
    def({
      group: "rbac.authorization.k8s.io",
      version: "v1",
      kind: "ClusterRoleBinding",
      plural: "clusterrolebindings",
      namespaced: false,
      columns: c.binding,
    }),
    def({
      group: "coordination.k8s.io",
      version: "v1",
      kind: "Lease",
      plural: "leases",
      namespaced: true,
      columns: [c.name, c.path("Holder", "spec.holderIdentity"), c.age],
    }),
    def({
      group: "networking.k8s.io",
      version: "v1",
      kind: "NetworkPolicy",
      plural: "networkpolicies",
      namespaced: true,
      shortNames: ["netpol"],
      columns: [c.name, c.path("Pod-Selector", "spec.podSelector"), c.age],
    }),
    def({
      group: "networking.k8s.io",
      version: "v1",
      kind: "Ingress",
      plural: "ingresses",
      namespaced: true,
      shortNames: ["ing"],
      status: true,
      columns: [c.name, c.path("Class", "spec.ingressClassName"), c.ingressHosts, c.age],
    }),
    def({
      group: "policy",
      version: "v1",
      kind: "PodDisruptionBudget",
      plural: "poddisruptionbudgets",
      namespaced: true,
      shortNames: ["pdb"],
      status: true,
      columns: [
        c.name,
        c.path("Min Available", "spec.minAvailable"),
        c.path("Max Unavailable", "spec.maxUnavailable"),
        c.age,
      ],
    }),
    def({
      group: "authorization.k8s.io",
      version: "v1",
      kind: "SelfSubjectAccessReview",
      plural: "selfsubjectaccessreviews",
      namespaced: false,
      verbs: ["create"],
    }),
    def({
      group: "authentication.k8s.io",
      version: "v1",
      kind: "SelfSubjectReview",
      plural: "selfsubjectreviews",
      namespaced: false,
      verbs: ["create"],
    }),
    def({
      group: "apiextensions.k8s.io",
      version: "v1",
      kind: "CustomResourceDefinition",
      plural: "customresourcedefinitions",
      namespaced: false,
      shortNames: ["crd", "crds"],
      status: true,
      columns: [c.name, c.createdAt],
    }),
  ];
}

/** The kinds a cluster serves, keyed for URL routing; custom resources come and go with their CRDs. */
export class Registry {
  private byPath = new Map<string, ResourceType>();

  constructor(types: ResourceType[] = builtinTypes()) {
    for (const t of types) this.add(t);
  }

  add(t: ResourceType): void {
    this.byPath.set(`${apiVersionOf(t)}/${t.plural}`, t);
  }

  removeGroupResource(group: string, plural: string): void {
    for (const [k, t] of this.byPath) if (t.group === group && t.plural === plural) this.byPath.delete(k);
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group ? `${group}/${version}` : version}/${plural}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const t of this.byPath.values()) if (apiVersionOf(t) === apiVersion && t.kind === kind) return t;
    return undefined;
  }

  /** The first served version of a group resource, which is where the store keeps it. */
  byGroupResource(group: string, plural: string): ResourceType | undefined {
    for (const t of this.byPath.values()) if (t.group === group && t.plural === plural) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.byPath.values()) {
      const vs = groups.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      groups.set(t.group, vs);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }
}
