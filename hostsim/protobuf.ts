import { errors } from "./errors";
import type { KObject, Obj } from "./types";

/**
 * Decodes the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the few core kinds kubectl
 * sends as protobuf (create configmap, secret, namespace from 1.32 on). Field numbers follow
 * k8s.io/api/core/v1/generated.proto and apimachinery's meta/v1 generated.proto.
 */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw errors.badRequest("truncated protobuf body");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wire: t & 7 };
  }

  bytes(): Buffer {
    const len = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw errors.badRequest(`unsupported protobuf wire type ${wire}`);
  }
}

type FieldHandler = (r: Reader, wire: number) => void;

function message(buf: Buffer, handlers: Record<number, FieldHandler>): void {
  const r = new Reader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    const h = handlers[field];
    if (h) h(r, wire);
    else r.skip(wire);
  }
}

function mapEntry(buf: Buffer): [string, Buffer] {
  let key = "";
  let value = Buffer.alloc(0);
  message(buf, { 1: (r) => (key = r.bytes().toString("utf8")), 2: (r) => (value = Buffer.from(r.bytes())) });
  return [key, value];
}

function stringMap(target: Obj, field: string): FieldHandler {
  return (r) => {
    const [k, v] = mapEntry(r.bytes());
    const m = (target[field] ??= {}) as Record<string, string>;
    m[k] = v.toString("utf8");
  };
}

function bytesMap(target: Obj, field: string): FieldHandler {
  return (r) => {
    const [k, v] = mapEntry(r.bytes());
    const m = (target[field] ??= {}) as Record<string, string>;
    m[k] = v.toString("base64");
  };
}

// Go's protobuf encoding writes empty strings too; like JSON's omitempty, they mean "unset".
const str = (target: Obj, field: string): FieldHandler => (r) => {
  const v = r.bytes().toString("utf8");
  if (v) target[field] = v;
};
const bool = (target: Obj, field: string): FieldHandler => (r) => (target[field] = r.varint() !== 0);
const strList = (target: Obj, field: string): FieldHandler => (r) => ((target[field] ??= []) as string[]).push(r.bytes().toString("utf8"));

function objectMeta(buf: Buffer): Obj {
  const m: Obj = {};
  message(buf, {
    1: str(m, "name"),
    2: str(m, "generateName"),
    3: str(m, "namespace"),
    11: stringMap(m, "labels"),
    12: stringMap(m, "annotations"),
    14: strList(m, "finalizers"),
  });
  return m;
}

const decoders: Record<string, (buf: Buffer) => Obj> = {
  ConfigMap(buf) {
    const o: Obj = {};
    message(buf, { 1: (r) => (o.metadata = objectMeta(r.bytes())), 2: stringMap(o, "data"), 3: bytesMap(o, "binaryData"), 4: bool(o, "immutable") });
    return o;
  },
  Secret(buf) {
    const o: Obj = {};
    message(buf, { 1: (r) => (o.metadata = objectMeta(r.bytes())), 2: bytesMap(o, "data"), 3: str(o, "type"), 4: stringMap(o, "stringData"), 5: bool(o, "immutable") });
    return o;
  },
  Namespace(buf) {
    const o: Obj = {};
    message(buf, {
      1: (r) => (o.metadata = objectMeta(r.bytes())),
      2: (r) => {
        const spec: Obj = {};
        message(r.bytes(), { 1: strList(spec, "finalizers") });
        o.spec = spec;
      },
    });
    return o;
  },
};

export function decodeProtobuf(body: Buffer): KObject {
  if (body.length < 4 || body.subarray(0, 4).toString("latin1") !== "k8s\0") throw errors.badRequest("protobuf body lacks the k8s envelope");
  let apiVersion = "";
  let kind = "";
  let raw = Buffer.alloc(0);
  message(body.subarray(4), {
    1: (r) => message(r.bytes(), { 1: (rr) => (apiVersion = rr.bytes().toString("utf8")), 2: (rr) => (kind = rr.bytes().toString("utf8")) }),
    2: (r) => (raw = Buffer.from(r.bytes())),
  });
  const decode = decoders[kind];
  if (!decode) throw errors.unsupportedMedia(`application/vnd.kubernetes.protobuf for ${kind || "unknown kind"}`);
  const o = decode(raw);
  return { ...o, apiVersion, kind, metadata: (o.metadata ?? {}) as KObject["metadata"] };
}
