import { errors } from "./errors";
import { isObj, type KObject } from "./types";

/** A known-fields schema: true accepts anything, a map names the known fields, ListOf describes items. */
type Schema = true | Known | ListOf;
interface Known {
  [field: string]: Schema;
}
class ListOf {
  constructor(readonly item: Schema) {}
}

const any = true as const;
const meta: Known = Object.fromEntries(
  [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
  ].map((f) => [f, any]),
);
const fields = (...names: string[]): Known => Object.fromEntries(names.map((n) => [n, any]));

const container = fields(
  "name",
  "image",
  "command",
  "args",
  "workingDir",
  "ports",
  "envFrom",
  "env",
  "resources",
  "resizePolicy",
  "restartPolicy",
  "volumeMounts",
  "volumeDevices",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "terminationMessagePath",
  "terminationMessagePolicy",
  "imagePullPolicy",
  "securityContext",
  "stdin",
  "stdinOnce",
  "tty",
);
const podSpecFields = fields(
  "volumes",
  "initContainers",
  "ephemeralContainers",
  "restartPolicy",
  "terminationGracePeriodSeconds",
  "activeDeadlineSeconds",
  "dnsPolicy",
  "nodeSelector",
  "serviceAccountName",
  "serviceAccount",
  "automountServiceAccountToken",
  "nodeName",
  "hostNetwork",
  "hostPID",
  "hostIPC",
  "shareProcessNamespace",
  "securityContext",
  "imagePullSecrets",
  "hostname",
  "subdomain",
  "affinity",
  "schedulerName",
  "tolerations",
  "hostAliases",
  "priorityClassName",
  "priority",
  "dnsConfig",
  "readinessGates",
  "runtimeClassName",
  "enableServiceLinks",
  "preemptionPolicy",
  "overhead",
  "topologySpreadConstraints",
  "setHostnameAsFQDN",
  "os",
  "hostUsers",
  "schedulingGates",
  "resourceClaims",
  "resources",
);
const podSpec: Known = { ...podSpecFields, containers: new ListOf(container), initContainers: new ListOf(container) };
const template: Known = { metadata: meta, spec: podSpec };

const schemas: Record<string, Known> = {
  Pod: { spec: podSpec, status: any },
  Deployment: {
    spec: {
      ...fields(
        "replicas",
        "selector",
        "strategy",
        "minReadySeconds",
        "revisionHistoryLimit",
        "paused",
        "progressDeadlineSeconds",
      ),
      template,
    },
    status: any,
  },
  ReplicaSet: { spec: { ...fields("replicas", "selector", "minReadySeconds"), template }, status: any },
  StatefulSet: {
    spec: {
      ...fields(
        "replicas",
        "selector",
        "volumeClaimTemplates",
        "serviceName",
        "podManagementPolicy",
        "updateStrategy",
        "revisionHistoryLimit",
        "minReadySeconds",
        "persistentVolumeClaimRetentionPolicy",
        "ordinals",
      ),
      template,
    },
    status: any,
  },
  ConfigMap: fields("data", "binaryData", "immutable"),
  Secret: fields("data", "stringData", "type", "immutable"),
  Namespace: fields("spec", "status"),
  Node: fields("spec", "status"),
  Service: fields("spec", "status"),
  Endpoints: fields("subsets"),
  ServiceAccount: fields("secrets", "imagePullSecrets", "automountServiceAccountToken"),
  Event: fields(
    "involvedObject",
    "reason",
    "message",
    "source",
    "firstTimestamp",
    "lastTimestamp",
    "count",
    "type",
    "eventTime",
    "series",
    "action",
    "related",
    "reportingComponent",
    "reportingInstance",
  ),
  PersistentVolumeClaim: fields("spec", "status"),
  ResourceQuota: fields("spec", "status"),
  LimitRange: fields("spec"),
  Role: fields("rules"),
  ClusterRole: fields("rules", "aggregationRule"),
  RoleBinding: fields("subjects", "roleRef"),
  ClusterRoleBinding: fields("subjects", "roleRef"),
  Lease: {
    spec: fields(
      "holderIdentity",
      "leaseDurationSeconds",
      "acquireTime",
      "renewTime",
      "leaseTransitions",
      "strategy",
      "preferredHolder",
    ),
  },
  CustomResourceDefinition: fields("spec", "status"),
};

/** Turns an openAPIV3Schema into a Known schema; undefined means "anything goes". */
function fromOpenApi(s: unknown): Schema {
  if (!isObj(s) || s["x-kubernetes-preserve-unknown-fields"] === true) return any;
  if (s.type === "array") return new ListOf(fromOpenApi(s.items));
  if (isObj(s.properties)) return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, fromOpenApi(v)]));
  return any;
}

function prune(v: unknown, schema: Schema, path: string, unknown: string[]): void {
  if (schema === true) return;
  if (schema instanceof ListOf) {
    if (Array.isArray(v)) v.forEach((item, i) => prune(item, schema.item, `${path}[${i}]`, unknown));
    return;
  }
  if (!isObj(v)) return;
  for (const k of Object.keys(v)) {
    const child = Object.hasOwn(schema, k) ? schema[k] : undefined;
    const p = path ? `${path}.${k}` : k;
    if (child === undefined) {
      unknown.push(p);
      delete v[k];
    } else prune(v[k], child, p, unknown);
  }
}

/**
 * Drops unknown fields as decoding into the Go types would, and reports them per the fieldValidation
 * directive: Strict fails the request, Warn returns warnings, Ignore says nothing.
 */
export function checkUnknownFields(o: KObject, kind: string, crdSchema: unknown, directive: string): string[] {
  const specific: Schema = crdSchema !== undefined ? fromOpenApi(crdSchema) : (schemas[kind] ?? any);
  if (specific === true || specific instanceof ListOf) return [];
  const schema: Known = { ...specific, apiVersion: any, kind: any, metadata: meta };
  const unknown: string[] = [];
  prune(o, schema, "", unknown);
  if (unknown.length === 0 || directive === "Ignore") return [];
  const messages = unknown.map((p) => `unknown field "${p}"`);
  if (directive === "Strict") throw errors.badRequest(`strict decoding error: ${messages.join(", ")}`);
  return messages;
}
