/**
 * Export of a virtual cluster through its own API: every snapshot type, listed page by page, written as
 * gzip-compressed NDJSON into `out` while the payload's sha256, size and counts per kind are computed, so the
 * snapshot is never held in memory.
 */
import { createHash } from "node:crypto";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { collectionPath, discoverResourceTypes, type ResourceType } from "./discovery";
import { SNAPSHOT_FORMAT_VERSION, kindKey, type KubeObject, type SnapshotManifest } from "./format";
import { createKubeApi, type KubeApi } from "./kube-api";
import { isGenerated, stripServerFields } from "./sanitize";

const PAGE_SIZE = 500;

interface ObjectList {
  /** served without apiVersion and kind, which listAll sets */
  items?: KubeObject[];
  metadata?: { continue?: string };
}

/** Every object of one type, page by page; items of a list carry no apiVersion/kind, so they are set here. */
export async function* listAll(api: KubeApi, type: ResourceType): AsyncGenerator<KubeObject> {
  let token: string | undefined;
  do {
    const query = `?limit=${PAGE_SIZE}${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    const page = await api.get<ObjectList>(
      collectionPath(type) + query,
      `list of ${type.resource}${type.group ? `.${type.group}` : ""}`,
    );
    for (const item of page.items ?? []) yield { ...item, apiVersion: type.apiVersion, kind: type.kind };
    token = page.metadata?.continue || undefined;
  } while (token);
}

/** The objects a snapshot holds, stripped of server-set fields (see ./sanitize.ts for what is left out and why). */
export async function* snapshotObjects(api: KubeApi, types: ResourceType[]): AsyncGenerator<KubeObject> {
  for (const type of types) {
    for await (const object of listAll(api, type)) {
      // an object being deleted would be restored only to be deleted again
      if (object.metadata.deletionTimestamp || isGenerated(object)) continue;
      yield stripServerFields(object);
    }
  }
}

/**
 * Streams the snapshot of the cluster behind `kubeconfig` into `out` (e.g. the body of an S3 upload) and resolves
 * with its manifest once `out` has taken every byte. Rejects, destroying `out`, if the cluster or `out` fails.
 */
export async function exportCluster(kubeconfig: string, out: Writable): Promise<SnapshotManifest> {
  const api = createKubeApi(kubeconfig);
  try {
    const version = await api.get<{ gitVersion?: string }>("/version", "version");
    const types = await discoverResourceTypes(api);
    const counts: Record<string, number> = {};
    let objectCount = 0;
    const hash = createHash("sha256");
    let sizeBytes = 0;
    async function* lines(): AsyncGenerator<Buffer> {
      for await (const object of snapshotObjects(api, types)) {
        const key = kindKey(object);
        counts[key] = (counts[key] ?? 0) + 1;
        objectCount++;
        yield Buffer.from(`${JSON.stringify(object)}\n`);
      }
    }
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(lines, createGzip(), measure, out);
    return {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      kubernetesVersion: version.gitVersion ?? "unknown",
      createdAt: new Date().toISOString(),
      counts,
      objectCount,
      sha256: hash.digest("hex"),
      sizeBytes,
    };
  } catch (err) {
    out.destroy(err instanceof Error ? err : undefined);
    throw err;
  } finally {
    api.close();
  }
}
