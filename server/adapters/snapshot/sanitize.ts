/**
 * What of an object a snapshot keeps. The export and the comparison of a restore preview use the same function,
 * so "changed" means changed in what a restore would write.
 */
import type { KubeObject } from "./format";

/** metadata the server sets on every object; restoring them is impossible (uid) or meaningless (timestamps) */
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "managedFields",
  "creationTimestamp",
  "generation",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];
/** annotations written by controllers, which rewrite them after a restore anyway */
const SERVER_ANNOTATIONS = ["deployment.kubernetes.io/revision"];

/**
 * Objects the cluster makes by itself and remakes after a restore: the default ServiceAccount and CA bundle in
 * every namespace, service account token Secrets, and anything with a controller owner (a Deployment's ReplicaSets
 * and their Pods): restoring the owner brings them back, and restoring them too would fight the controller.
 */
export function isGenerated(object: KubeObject): boolean {
  const { kind, metadata } = object;
  if (kind === "ServiceAccount" && metadata.name === "default") return true;
  if (kind === "ConfigMap" && metadata.name === "kube-root-ca.crt") return true;
  if (kind === "Secret" && object.type === "kubernetes.io/service-account-token") return true;
  return (metadata.ownerReferences ?? []).some((o) => o.controller === true);
}

/**
 * A copy without server-set fields. `status` goes for every kind: for built-in kinds the server and its controllers
 * own it, and for custom resources the operator that reconciles them does (a restore through the main resource could
 * not write it anyway when the CRD has a status subresource). Owner references keep their target but lose the uid,
 * which restore looks up again, since the restored owner has a new one.
 */
export function stripServerFields(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const metadata: KubeObject["metadata"] = { ...object.metadata };
  for (const f of SERVER_METADATA) delete metadata[f];
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    for (const a of SERVER_ANNOTATIONS) delete annotations[a];
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    else delete metadata.annotations;
  }
  if (metadata.ownerReferences) metadata.ownerReferences = metadata.ownerReferences.map(({ uid: _uid, ...ref }) => ref);
  const out: KubeObject = { ...rest, metadata };
  // a Namespace's spec holds only the server's `kubernetes` finalizer
  if (object.kind === "Namespace" && object.apiVersion === "v1") delete out.spec;
  if (object.kind === "Service" && object.apiVersion === "v1") out.spec = withoutAllocatedIPs(out.spec);
  return out;
}

/** A Service's cluster IPs are allocated by the server; a restored Service gets fresh ones (headless stays headless). */
function withoutAllocatedIPs(spec: unknown): unknown {
  if (typeof spec !== "object" || spec === null) return spec;
  const s = { ...(spec as Record<string, unknown>) };
  if (s.clusterIP !== "None") {
    delete s.clusterIP;
    delete s.clusterIPs;
  }
  return s;
}
