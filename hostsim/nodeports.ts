import { errors, type StatusCause } from "./errors";
import { isObj, objs, type KObject } from "./types";

/** The apiserver's default --service-node-port-range. */
const first = 30000;
const last = 32767;

const needsNodePorts = (type: unknown) => type === "NodePort" || type === "LoadBalancer";

/**
 * Node port allocation as the service REST storage does it: NodePort and LoadBalancer Services get a free port
 * from 30000-32767 for every port left at 0, keep the one they had on update, and may not take one in use or out
 * of range; other types may not set one (0 means unset, so it is dropped).
 */
export function allocateNodePorts(svc: KObject, old: KObject | undefined, others: KObject[]): void {
  const spec = isObj(svc.spec) ? svc.spec : undefined;
  if (!spec) return;
  const ports = objs(spec.ports);
  const causes: StatusCause[] = [];
  if (!needsNodePorts(spec.type)) {
    ports.forEach((p, i) => {
      if (p.nodePort === 0) delete p.nodePort;
      else if (p.nodePort !== undefined)
        causes.push({
          reason: "FieldValueForbidden",
          field: `spec.ports[${i}].nodePort`,
          message: `Forbidden: may not be used when type is '${String(spec.type ?? "ClusterIP")}'`,
        });
    });
  } else {
    const previous = objs(isObj(old?.spec) ? old.spec.ports : []);
    const used = new Set(
      others
        .filter((o) => o.metadata.uid !== svc.metadata.uid)
        .flatMap((o) => objs(isObj(o.spec) ? o.spec.ports : []).map((p) => p.nodePort)),
    );
    ports.forEach((p, i) => {
      if (!p.nodePort) {
        const kept = previous.find((q) => q.port === p.port && q.protocol === p.protocol)?.nodePort;
        let n = typeof kept === "number" ? kept : first;
        while (typeof kept !== "number" && used.has(n)) n++;
        if (n > last) throw errors.internal("range is full: no node ports left in 30000-32767");
        p.nodePort = n;
        used.add(n);
        return;
      }
      const n = p.nodePort;
      if (typeof n !== "number" || n < first || n > last)
        causes.push({
          reason: "FieldValueInvalid",
          field: `spec.ports[${i}].nodePort`,
          message: `Invalid value: ${String(n)}: provided port is not in the valid range. The range of valid ports is ${first}-${last}`,
        });
      else if (used.has(n))
        causes.push({
          reason: "FieldValueInvalid",
          field: `spec.ports[${i}].nodePort`,
          message: `Invalid value: ${n}: provided port is already allocated`,
        });
      used.add(n);
    });
  }
  if (causes.length) throw errors.invalid("Service", "", svc.metadata.name ?? "", causes);
}
