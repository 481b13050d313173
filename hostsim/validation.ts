import { errors, type StatusCause } from "./errors";
import { isQuantity } from "./quantity";
import type { ResourceType } from "./registry";
import { fromLabelSelector, matchesLabels } from "./selectors";
import { arr, getPath, isObj, objs, str, type KObject } from "./types";

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const configKey = /^[-._a-zA-Z0-9]+$/;
/** metav1.MicroTime is written and parsed with Go's layout 2006-01-02T15:04:05.000000Z07:00. */
const microTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

const labelKinds = new Set(["Namespace", "Service"]);
const pathSegmentGroups = new Set(["rbac.authorization.k8s.io"]);

function nameCauses(rt: ResourceType, name: string): StatusCause[] {
  if (pathSegmentGroups.has(rt.group)) {
    return name === "." || name === ".." || /[/%]/.test(name)
      ? [
          {
            reason: "FieldValueInvalid",
            field: "metadata.name",
            message: `Invalid value: "${name}": may not contain '/' or '%'`,
          },
        ]
      : [];
  }
  if (labelKinds.has(rt.kind)) {
    if (name.length > 63 || !label.test(name) || (rt.kind === "Service" && !/^[a-z]/.test(name))) {
      return [
        {
          reason: "FieldValueInvalid",
          field: "metadata.name",
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
        },
      ];
    }
    return [];
  }
  if (name.length > 253 || !subdomain.test(name)) {
    return [
      {
        reason: "FieldValueInvalid",
        field: "metadata.name",
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ];
  }
  return [];
}

function invalid(field: string, message: string): StatusCause {
  return { reason: "FieldValueInvalid", field, message };
}

function required(field: string): StatusCause {
  return { reason: "FieldValueRequired", field, message: "Required value" };
}

function podSpecCauses(spec: unknown, prefix: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = objs(getPath(spec, ["containers"]));
  if (containers.length === 0) causes.push(required(`${prefix}.containers`));
  containers.forEach((c, i) => {
    if (!str(c.name)) causes.push(required(`${prefix}.containers[${i}].name`));
    if (!str(c.image)) causes.push(required(`${prefix}.containers[${i}].image`));
    for (const kind of ["requests", "limits"]) {
      const r = getPath(c, ["resources", kind]);
      if (isObj(r)) {
        for (const [k, v] of Object.entries(r))
          if (!isQuantity(v))
            causes.push(
              invalid(
                `${prefix}.containers[${i}].resources.${kind}[${k}]`,
                `Invalid value: "${String(v)}": must be a quantity`,
              ),
            );
      }
    }
  });
  return causes;
}

function workloadCauses(o: KObject): StatusCause[] {
  const spec = o.spec;
  const causes: StatusCause[] = [];
  const selector = getPath(spec, ["selector"]);
  if (!isObj(selector)) causes.push(required("spec.selector"));
  const labels = getPath(spec, ["template", "metadata", "labels"]);
  if (
    isObj(selector) &&
    !matchesLabels(fromLabelSelector(selector), isObj(labels) ? (labels as Record<string, string>) : {})
  ) {
    causes.push(
      invalid(
        "spec.template.metadata.labels",
        `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``,
      ),
    );
  }
  const replicas = getPath(spec, ["replicas"]);
  if (typeof replicas === "number" && replicas < 0)
    causes.push(invalid("spec.replicas", `Invalid value: ${replicas}: must be greater than or equal to 0`));
  return [...causes, ...podSpecCauses(getPath(spec, ["template", "spec"]), "spec.template.spec")];
}

function keyCauses(field: string, m: unknown): StatusCause[] {
  return Object.keys(isObj(m) ? m : {})
    .filter((k) => !configKey.test(k))
    .map((k) =>
      invalid(
        `${field}[${k}]`,
        `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      ),
    );
}

const pathTypes = ["Exact", "Prefix", "ImplementationSpecific"];

/** networking/v1 Ingress validation (kubernetes pkg/apis/networking/validation) for the fields charts set. */
function ingressCauses(o: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  objs(getPath(o.spec, ["rules"])).forEach((rule, i) => {
    const host = str(rule.host);
    const bare = host.startsWith("*.") ? host.slice(2) : host;
    if (host && (/^[\d.]+$/.test(host) || !subdomain.test(bare)))
      causes.push(
        invalid(
          `spec.rules[${i}].host`,
          `Invalid value: "${host}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        ),
      );
    objs(getPath(rule, ["http", "paths"])).forEach((p, j) => {
      const at = `spec.rules[${i}].http.paths[${j}]`;
      const type = p.pathType;
      if (type === undefined)
        causes.push({
          reason: "FieldValueRequired",
          field: `${at}.pathType`,
          message: "Required value: pathType must be specified",
        });
      else if (!pathTypes.includes(str(type)))
        causes.push({
          reason: "FieldValueNotSupported",
          field: `${at}.pathType`,
          message: `Unsupported value: "${String(type)}": supported values: "Exact", "ImplementationSpecific", "Prefix"`,
        });
      const path = str(p.path);
      if ((type !== "ImplementationSpecific" || path) && !path.startsWith("/"))
        causes.push(invalid(`${at}.path`, `Invalid value: "${path}": must be an absolute path`));
      const service = getPath(p, ["backend", "service"]);
      const port = getPath(service, ["port"]);
      if (!isObj(service) && !isObj(getPath(p, ["backend", "resource"])))
        causes.push(invalid(`${at}.backend`, 'Invalid value: "": resource or service backend is required'));
      else if (isObj(service)) {
        if (!str(service.name)) causes.push(required(`${at}.backend.service.name`));
        if (isObj(port) && port.name !== undefined && port.number !== undefined)
          causes.push(invalid(`${at}.backend.service.port`, "Invalid value: cannot set both port name & port number"));
        else if (!isObj(port) || (port.name === undefined && port.number === undefined))
          causes.push(required(`${at}.backend.service.port.name`));
      }
    });
  });
  return causes;
}

const kindCauses: Record<string, (o: KObject) => StatusCause[]> = {
  Ingress: ingressCauses,
  PodDisruptionBudget: (o) =>
    getPath(o.spec, ["minAvailable"]) !== undefined && getPath(o.spec, ["maxUnavailable"]) !== undefined
      ? [invalid("spec", "Invalid value: minAvailable and maxUnavailable cannot be both set")]
      : [],
  Pod: (o) => podSpecCauses(o.spec, "spec"),
  Deployment: workloadCauses,
  StatefulSet: workloadCauses,
  ReplicaSet: workloadCauses,
  ConfigMap: (o) => [...keyCauses("data", o.data), ...keyCauses("binaryData", o.binaryData)],
  Secret: (o) => keyCauses("data", o.data),
  Service: (o) =>
    objs(getPath(o.spec, ["ports"])).flatMap((p, i) =>
      typeof p.port === "number" && p.port > 0 && p.port < 65536 ? [] : [required(`spec.ports[${i}].port`)],
    ),
  CustomResourceDefinition: (o) => {
    const group = str(getPath(o.spec, ["group"]));
    const plural = str(getPath(o.spec, ["names", "plural"]));
    const causes: StatusCause[] = [];
    if (o.metadata.name !== `${plural}.${group}`)
      causes.push(
        invalid("metadata.name", `Invalid value: "${o.metadata.name}": must be spec.names.plural+"."+spec.group`),
      );
    if (!str(getPath(o.spec, ["names", "kind"]))) causes.push(required("spec.names.kind"));
    if (arr(getPath(o.spec, ["versions"])).length === 0) causes.push(required("spec.versions"));
    return causes;
  },
};

/** Lease times are MicroTime: a real apiserver fails to decode any other layout, before validation. */
function checkDecoding(rt: ResourceType, o: KObject): void {
  if (rt.kind !== "Lease") return;
  for (const f of ["acquireTime", "renewTime"]) {
    const v = getPath(o.spec, [f]);
    if (v !== undefined && v !== null && (typeof v !== "string" || !microTime.test(v))) {
      throw errors.badRequest(
        `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(v)} as "2006-01-02T15:04:05.000000Z07:00"`,
      );
    }
  }
}

export function validate(rt: ResourceType, o: KObject): void {
  checkDecoding(rt, o);
  const name = o.metadata.name ?? "";
  const causes = [...nameCauses(rt, name), ...(kindCauses[rt.kind]?.(o) ?? [])];
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (typeof v !== "string" || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) {
      causes.push(
        invalid(
          `metadata.labels`,
          `Invalid value: "${String(v)}": a valid label value must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
    }
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k))
      causes.push(
        invalid(
          "metadata.labels",
          `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
  }
  if (causes.length > 0) throw errors.invalid(rt.kind, rt.group, name, causes);
}
