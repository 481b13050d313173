import { errors } from "./errors";
import type { KObject, Obj } from "./types";

/**
 * Decodes the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the built-in kinds that
 * `kubectl create …` sends as protobuf from 1.32 on, and the DeleteOptions client-go's typed clients (helm) send.
 * Field numbers follow the generated.proto files of
 * k8s.io/api and apimachinery; fields not described here are skipped, as kubectl never sets them.
 */
type Scalar = "string" | "int" | "bool" | "bytes" | "quantity" | "intOrString";
type MapOf = { map: "string" | "bytes" | "quantity" };
type FieldType = Scalar | MapOf | Message;
/** field number → [json name, type, repeated, keep zero value] */
interface Message {
  [field: number]: [string, FieldType, boolean?, boolean?];
}

const quantity: Message = { 1: ["string", "string"] };
const labelSelector: Message = {
  1: ["matchLabels", { map: "string" }],
  2: ["matchExpressions", { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "string", true] }, true],
};
const ownerReference: Message = {
  1: ["kind", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["controller", "bool"],
  7: ["blockOwnerDeletion", "bool"],
};
const objectMeta: Message = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  11: ["labels", { map: "string" }],
  12: ["annotations", { map: "string" }],
  13: ["ownerReferences", ownerReference, true],
  14: ["finalizers", "string", true],
};
const envVar: Message = { 1: ["name", "string"], 2: ["value", "string"] };
const containerPort: Message = {
  1: ["name", "string"],
  2: ["hostPort", "int"],
  3: ["containerPort", "int"],
  4: ["protocol", "string"],
  5: ["hostIP", "string"],
};
const resources: Message = { 1: ["limits", { map: "quantity" }], 2: ["requests", { map: "quantity" }] };
const container: Message = {
  1: ["name", "string"],
  2: ["image", "string"],
  3: ["command", "string", true],
  4: ["args", "string", true],
  5: ["workingDir", "string"],
  6: ["ports", containerPort, true],
  7: ["env", envVar, true],
  8: ["resources", resources],
  13: ["terminationMessagePath", "string"],
  14: ["imagePullPolicy", "string"],
  16: ["stdin", "bool"],
  18: ["tty", "bool"],
  20: ["terminationMessagePolicy", "string"],
};
const podSpec: Message = {
  2: ["containers", container, true],
  3: ["restartPolicy", "string"],
  6: ["dnsPolicy", "string"],
  7: ["nodeSelector", { map: "string" }],
  8: ["serviceAccountName", "string"],
  10: ["nodeName", "string"],
  19: ["schedulerName", "string"],
  20: ["initContainers", container, true],
};
const podTemplate: Message = { 1: ["metadata", objectMeta], 2: ["spec", podSpec] };
const policyRule: Message = {
  1: ["verbs", "string", true],
  2: ["apiGroups", "string", true],
  3: ["resources", "string", true],
  4: ["resourceNames", "string", true],
  5: ["nonResourceURLs", "string", true],
};
const subject: Message = {
  1: ["kind", "string"],
  2: ["apiGroup", "string"],
  3: ["name", "string"],
  4: ["namespace", "string"],
};
const roleRef: Message = { 1: ["apiGroup", "string"], 2: ["kind", "string"], 3: ["name", "string"] };
const servicePort: Message = {
  1: ["name", "string"],
  2: ["protocol", "string"],
  3: ["port", "int"],
  4: ["targetPort", "intOrString"],
  5: ["nodePort", "int"],
  6: ["appProtocol", "string"],
};

const meta = (rest: Message): Message => ({ 1: ["metadata", objectMeta], ...rest });

const kinds: Record<string, Message> = {
  ConfigMap: meta({ 2: ["data", { map: "string" }], 3: ["binaryData", { map: "bytes" }], 4: ["immutable", "bool"] }),
  Secret: meta({
    2: ["data", { map: "bytes" }],
    3: ["type", "string"],
    4: ["stringData", { map: "string" }],
    5: ["immutable", "bool"],
  }),
  Namespace: meta({ 2: ["spec", { 1: ["finalizers", "string", true] }] }),
  ServiceAccount: meta({
    2: ["secrets", { 1: ["kind", "string"], 2: ["namespace", "string"], 3: ["name", "string"] }, true],
    3: ["imagePullSecrets", { 1: ["name", "string"] }, true],
    4: ["automountServiceAccountToken", "bool"],
  }),
  Service: meta({
    2: [
      "spec",
      {
        1: ["ports", servicePort, true],
        2: ["selector", { map: "string" }],
        3: ["clusterIP", "string"],
        4: ["type", "string"],
        5: ["externalIPs", "string", true],
        7: ["sessionAffinity", "string"],
        10: ["externalName", "string"],
      },
    ],
  }),
  Deployment: meta({
    2: [
      "spec",
      {
        1: ["replicas", "int", false, true],
        2: ["selector", labelSelector],
        3: ["template", podTemplate],
        4: [
          "strategy",
          {
            1: ["type", "string"],
            2: ["rollingUpdate", { 1: ["maxUnavailable", "intOrString"], 2: ["maxSurge", "intOrString"] }],
          },
        ],
        5: ["minReadySeconds", "int"],
        6: ["revisionHistoryLimit", "int", false, true],
        7: ["paused", "bool"],
        9: ["progressDeadlineSeconds", "int", false, true],
      },
    ],
  }),
  Role: meta({ 2: ["rules", policyRule, true] }),
  ClusterRole: meta({ 2: ["rules", policyRule, true] }),
  RoleBinding: meta({ 2: ["subjects", subject, true], 3: ["roleRef", roleRef] }),
  ClusterRoleBinding: meta({ 2: ["subjects", subject, true], 3: ["roleRef", roleRef] }),
  ResourceQuota: meta({ 2: ["spec", { 1: ["hard", { map: "quantity" }], 2: ["scopes", "string", true] }] }),
  // what `kubectl auth whoami` and `kubectl auth can-i` send (k8s.io/api/authentication/v1 and authorization/v1 generated.proto)
  SelfSubjectReview: meta({}),
  SelfSubjectAccessReview: meta({
    2: [
      "spec",
      {
        1: [
          "resourceAttributes",
          {
            1: ["namespace", "string"],
            2: ["verb", "string"],
            3: ["group", "string"],
            4: ["version", "string"],
            5: ["resource", "string"],
            6: ["subresource", "string"],
            7: ["name", "string"],
          },
        ],
        2: ["nonResourceAttributes", { 1: ["path", "string"], 2: ["verb", "string"] }],
      },
    ],
  }),
  // client-go's typed clients send it with every delete, e.g. helm purging its release Secrets on uninstall.
  DeleteOptions: {
    1: ["gracePeriodSeconds", "int", false, true],
    2: ["preconditions", { 1: ["uid", "string"], 2: ["resourceVersion", "string"] }],
    3: ["orphanDependents", "bool", false, true],
    4: ["propagationPolicy", "string"],
    5: ["dryRun", "string", true],
  },
};

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
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    // Negative int32/int64 values are sent as 64-bit two's complement.
    return result >= 2 ** 63 ? result - 2 ** 64 : result;
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

function scalar(r: Reader, type: Scalar): unknown {
  switch (type) {
    case "string":
      return r.bytes().toString("utf8");
    case "bytes":
      return r.bytes().toString("base64");
    case "int":
      return r.varint();
    case "bool":
      return r.varint() !== 0;
    case "quantity":
      return decode(r.bytes(), quantity).string ?? "0";
    case "intOrString": {
      const v = decode(r.bytes(), {
        1: ["type", "int", false, true],
        2: ["intVal", "int", false, true],
        3: ["strVal", "string"],
      });
      return v.type === 1 ? (v.strVal ?? "") : (v.intVal ?? 0);
    }
  }
}

function mapEntry(buf: Buffer, valueType: MapOf["map"]): [string, unknown] {
  const e = decode(buf, { 1: ["key", "string", false, true], 2: ["value", valueType, false, true] });
  return [String(e.key ?? ""), e.value ?? (valueType === "quantity" ? "0" : "")];
}

/** Go's encoding writes zero values that its JSON would omit; they are dropped unless the field is a pointer. */
const isZero = (v: unknown) => v === "" || v === 0 || v === false;

function decode(buf: Buffer, msg: Message): Obj {
  const out: Obj = {};
  const r = new Reader(buf);
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const desc = msg[field];
    if (!desc) {
      r.skip(tag & 7);
      continue;
    }
    const [name, type, repeated, keepZero] = desc;
    if (typeof type === "object" && "map" in type) {
      const [k, v] = mapEntry(r.bytes(), type.map);
      ((out[name] ??= {}) as Obj)[k] = v;
      continue;
    }
    const value = typeof type === "string" ? scalar(r, type) : decode(r.bytes(), type);
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else if (keepZero || !isZero(value)) out[name] = value;
  }
  return out;
}

export function decodeProtobuf(body: Buffer): KObject {
  if (body.length < 4 || body.subarray(0, 4).toString("latin1") !== "k8s\0")
    throw errors.badRequest("protobuf body lacks the k8s envelope");
  const unknown = decode(body.subarray(4), {
    1: ["typeMeta", { 1: ["apiVersion", "string"], 2: ["kind", "string"] }],
    2: ["raw", "bytes"],
  });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const kind = typeMeta.kind ?? "";
  const msg = kinds[kind];
  if (!msg) throw errors.unsupportedMedia(`application/vnd.kubernetes.protobuf for ${kind || "an unknown kind"}`);
  const o = decode(Buffer.from(String(unknown.raw ?? ""), "base64"), msg);
  return { ...o, apiVersion: typeMeta.apiVersion, kind, metadata: (o.metadata ?? {}) as KObject["metadata"] };
}
