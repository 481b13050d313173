/** The snapshot format: gzip-compressed NDJSON, one Kubernetes object a line, described by a manifest. */

export const SNAPSHOT_FORMAT_VERSION = 1;
export const SNAPSHOT_CONTENT_TYPE = "application/x-ndjson+gzip";

/** A Kubernetes object as JSON, with the fields every stored object has. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface SnapshotManifest {
  formatVersion: number;
  /** the virtual cluster's version, from /version */
  kubernetesVersion: string;
  createdAt: string;
  /** objects per kind, keyed `Kind` for core kinds and `Kind.group` otherwise */
  counts: Record<string, number>;
  objectCount: number;
  /** sha256 (hex) of the compressed payload exactly as stored */
  sha256: string;
  /** bytes of the compressed payload */
  sizeBytes: number;
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** `Kind` for core kinds, `Kind.group` for the others, so that same-named kinds of two groups stay apart. */
export function kindKey(object: Pick<KubeObject, "apiVersion" | "kind">): string {
  const group = groupOf(object.apiVersion);
  return group ? `${object.kind}.${group}` : object.kind;
}

/** `kind/ns/name` (`kind//name` for cluster-scoped objects), with the kind keyed as in `kindKey`. */
export function objectRef(object: KubeObject): string {
  return `${kindKey(object)}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}
