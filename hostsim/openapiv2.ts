import YAML from "yaml";
import type { Registry } from "./registry";

/**
 * A minimal OpenAPI v2 document in gnostic's protobuf encoding (openapi_v2.Document). kubectl 1.27 and 1.28
 * fetch it on apply only to learn that PATCH accepts fieldValidation, so it holds one tagged PATCH operation
 * per kind and nothing else.
 */
function field(n: number, payload: Buffer | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((n << 3) | 2), varint(body.length), body]);
}

function varint(v: number): Buffer {
  const out: number[] = [];
  while (v > 127) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

const queryParam = (name: string, type: string) =>
  field(8, field(1, field(2, field(3, Buffer.concat([field(2, "query"), field(4, name), field(6, type)])))));

export function openApiV2(reg: Registry): Buffer {
  const paths = reg.all().map((t) => {
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    const path = `${base}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}/{name}`;
    const gvk = YAML.stringify({ group: t.group, kind: t.kind, version: t.version });
    const patch = Buffer.concat([
      field(5, `patch${t.kind}`),
      queryParam("dryRun", "string"),
      queryParam("fieldManager", "string"),
      queryParam("fieldValidation", "string"),
      queryParam("force", "boolean"),
      field(13, Buffer.concat([field(1, "x-kubernetes-group-version-kind"), field(2, field(2, gvk))])),
    ]);
    return field(2, Buffer.concat([field(1, path), field(2, field(8, patch))]));
  });
  return Buffer.concat([
    field(1, "2.0"),
    field(2, Buffer.concat([field(1, "Kubernetes"), field(2, "hostsim")])),
    field(8, Buffer.concat(paths)),
  ]);
}
