import { arr, isObj, num, objs, readJsonPath, str, type KObject } from "./types";

export interface Column {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  priority?: number;
  description?: string;
  cell: (o: KObject) => string | number | boolean;
}

/** Renders an age the way kubectl's printers do ("5s", "3m", "2d"). */
export function humanAge(iso: string | undefined): string {
  if (!iso) return "<unknown>";
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const status = (o: KObject) => (isObj(o.status) ? o.status : {});
const spec = (o: KObject) => (isObj(o.spec) ? o.spec : {});

function podStatus(o: KObject): string {
  if (o.metadata.deletionTimestamp) return "Terminating";
  const st = status(o);
  if (str(st.reason)) return str(st.reason);
  for (const cs of objs(st.containerStatuses)) {
    const waiting = isObj(cs.state) && isObj(cs.state.waiting) ? str(cs.state.waiting.reason) : "";
    if (waiting) return waiting;
  }
  return str(st.phase, "Pending");
}

const path = (name: string, p: string, type: Column["type"] = "string"): Column => ({
  name,
  type,
  cell: (o) => {
    const v = readJsonPath(o, p);
    return typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ? v
      : v === undefined
        ? ""
        : JSON.stringify(v);
  },
});

const int = (name: string, p: string): Column => ({ name, type: "integer", cell: (o) => num(readJsonPath(o, p)) });

const name: Column = { name: "Name", type: "string", format: "name", cell: (o) => o.metadata.name ?? "" };
const age: Column = { name: "Age", type: "string", cell: (o) => humanAge(o.metadata.creationTimestamp) };
const createdAt: Column = { name: "Created At", type: "date", cell: (o) => o.metadata.creationTimestamp ?? "" };
const ready = (specPath: string): Column => ({
  name: "Ready",
  type: "string",
  cell: (o) => `${num(status(o).readyReplicas)}/${num(readJsonPath(o, specPath))}`,
});

const ingressHosts: Column = {
  name: "Hosts",
  type: "string",
  cell: (o) =>
    objs(spec(o).rules)
      .map((r) => str(r.host, "*"))
      .join(",") || "*",
};

export const columns = {
  name,
  ingressHosts,
  age,
  createdAt,
  path,
  dataCount: {
    name: "Data",
    type: "integer",
    cell: (o) =>
      Object.keys(isObj(o.data) ? o.data : {}).length + Object.keys(isObj(o.binaryData) ? o.binaryData : {}).length,
  } as Column,
  endpoints: {
    name: "Endpoints",
    type: "string",
    cell: (o) =>
      objs(o.subsets)
        .flatMap((s) => objs(s.addresses).flatMap((a) => objs(s.ports).map((p) => `${str(a.ip)}:${num(p.port)}`)))
        .join(",") || "<none>",
  } as Column,
  node: [
    name,
    {
      name: "Status",
      type: "string",
      cell: (o) =>
        objs(status(o).conditions).some((c) => c.type === "Ready" && c.status === "True") ? "Ready" : "NotReady",
    },
    { name: "Roles", type: "string", cell: () => "<none>" },
    age,
    path("Version", "status.nodeInfo.kubeletVersion"),
  ] as Column[],
  pod: [
    name,
    {
      name: "Ready",
      type: "string",
      cell: (o) =>
        `${objs(status(o).containerStatuses).filter((c) => c.ready === true).length}/${arr(spec(o).containers).length}`,
    },
    { name: "Status", type: "string", cell: podStatus },
    {
      name: "Restarts",
      type: "string",
      cell: (o) => String(objs(status(o).containerStatuses).reduce((n, c) => n + num(c.restartCount), 0)),
    },
    age,
    { ...path("IP", "status.podIP"), priority: 1 },
    { ...path("Node", "spec.nodeName"), priority: 1 },
  ] as Column[],
  service: [
    name,
    path("Type", "spec.type"),
    path("Cluster-IP", "spec.clusterIP"),
    { name: "External-IP", type: "string", cell: () => "<none>" },
    {
      name: "Port(s)",
      type: "string",
      cell: (o) =>
        objs(spec(o).ports)
          .map((p) => `${num(p.port)}/${str(p.protocol, "TCP")}`)
          .join(",") || "<none>",
    },
    age,
  ] as Column[],
  event: [
    { name: "Last Seen", type: "string", cell: (o) => humanAge(str(o.lastTimestamp) || o.metadata.creationTimestamp) },
    path("Type", "type"),
    path("Reason", "reason"),
    {
      name: "Object",
      type: "string",
      cell: (o) =>
        isObj(o.involvedObject) ? `${str(o.involvedObject.kind).toLowerCase()}/${str(o.involvedObject.name)}` : "",
    },
    path("Message", "message"),
  ] as Column[],
  pvc: [
    name,
    path("Status", "status.phase"),
    path("Volume", "spec.volumeName"),
    path("Capacity", "status.capacity.storage"),
    path("StorageClass", "spec.storageClassName"),
    age,
  ] as Column[],
  statefulSet: [name, ready("spec.replicas"), age],
  deployment: [
    name,
    ready("spec.replicas"),
    int("Up-to-date", "status.updatedReplicas"),
    int("Available", "status.availableReplicas"),
    age,
  ],
  replicaSet: [
    name,
    int("Desired", "spec.replicas"),
    int("Current", "status.replicas"),
    int("Ready", "status.readyReplicas"),
    age,
  ],
  binding: [
    name,
    {
      name: "Role",
      type: "string",
      cell: (o) => (isObj(o.roleRef) ? `${str(o.roleRef.kind)}/${str(o.roleRef.name)}` : ""),
    },
    age,
  ] as Column[],
};
