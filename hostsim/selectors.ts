import { errors } from "./errors";
import { arr, isObj, str, type KObject } from "./types";

export interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
  values: string[];
}

const keyChars = /[A-Za-z0-9_.\-/]/;

/** Parses a label selector string with every operator of k8s.io/apimachinery/pkg/labels. */
export function parseLabelSelector(s: string): Requirement[] {
  const reqs: Requirement[] = [];
  let i = 0;
  const skip = () => {
    while (s[i] === " ") i++;
  };
  const word = () => {
    skip();
    const start = i;
    while (i < s.length && keyChars.test(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skip();
    if (i >= s.length) break;
    let negated = false;
    if (s[i] === "!") {
      negated = true;
      i++;
    }
    const key = word();
    if (!key) throw errors.badRequest(`unable to parse requirement: invalid label selector "${s}"`);
    skip();
    if (negated) reqs.push({ key, op: "!", values: [] });
    else if (i >= s.length || s[i] === ",") reqs.push({ key, op: "exists", values: [] });
    else if (s.startsWith("!=", i)) {
      i += 2;
      reqs.push({ key, op: "!=", values: [word()] });
    } else if (s.startsWith("==", i) || s[i] === "=") {
      i += s.startsWith("==", i) ? 2 : 1;
      reqs.push({ key, op: "=", values: [word()] });
    } else if (s[i] === ">" || s[i] === "<") {
      const op = s[i] === ">" ? "gt" : "lt";
      i++;
      reqs.push({ key, op, values: [word()] });
    } else {
      const opWord = word();
      if (opWord !== "in" && opWord !== "notin")
        throw errors.badRequest(
          `unable to parse requirement: found '${opWord}', expected: in, notin, =, ==, !=, gt, lt`,
        );
      skip();
      if (s[i] !== "(") throw errors.badRequest(`unable to parse requirement: found '${s[i] ?? ""}', expected: '('`);
      const close = s.indexOf(")", i);
      if (close < 0) throw errors.badRequest(`unable to parse requirement: missing ')' in "${s}"`);
      const values = s
        .slice(i + 1, close)
        .split(",")
        .map((v) => v.trim());
      i = close + 1;
      reqs.push({ key, op: opWord, values });
    }
    skip();
    if (i < s.length) {
      if (s[i] !== ",") throw errors.badRequest(`unable to parse requirement: found '${s[i]}', expected: ','`);
      i++;
    }
  }
  return reqs;
}

/** Converts a metav1.LabelSelector (matchLabels + matchExpressions) into requirements. */
export function fromLabelSelector(sel: unknown): Requirement[] {
  if (!isObj(sel)) return [];
  const reqs: Requirement[] = [];
  const ml = sel.matchLabels;
  if (isObj(ml)) for (const [k, v] of Object.entries(ml)) reqs.push({ key: k, op: "=", values: [str(v)] });
  for (const e of arr(sel.matchExpressions)) {
    if (!isObj(e)) continue;
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" }[str(e.operator)];
    if (op) reqs.push({ key: str(e.key), op: op as Requirement["op"], values: arr(e.values).map((v) => str(v)) });
  }
  return reqs;
}

export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v);
      case "notin":
        return !has || !r.values.includes(v);
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
        return has && Number(v) > Number(r.values[0]);
      case "lt":
        return has && Number(v) < Number(r.values[0]);
    }
  });
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

const fieldGetters: Record<string, (o: KObject) => string> = {
  "metadata.name": (o) => o.metadata.name ?? "",
  "metadata.namespace": (o) => o.metadata.namespace ?? "",
  "status.phase": (o) => str(isObj(o.status) ? o.status.phase : undefined),
  "spec.nodeName": (o) => str(isObj(o.spec) ? o.spec.nodeName : undefined),
  "involvedObject.name": (o) => str(isObj(o.involvedObject) ? o.involvedObject.name : undefined),
  "involvedObject.kind": (o) => str(isObj(o.involvedObject) ? o.involvedObject.kind : undefined),
  "involvedObject.uid": (o) => str(isObj(o.involvedObject) ? o.involvedObject.uid : undefined),
  "involvedObject.namespace": (o) => str(isObj(o.involvedObject) ? o.involvedObject.namespace : undefined),
  "involvedObject.apiVersion": (o) => str(isObj(o.involvedObject) ? o.involvedObject.apiVersion : undefined),
  "involvedObject.resourceVersion": (o) => str(isObj(o.involvedObject) ? o.involvedObject.resourceVersion : undefined),
  "involvedObject.fieldPath": (o) => str(isObj(o.involvedObject) ? o.involvedObject.fieldPath : undefined),
  reason: (o) => str(o.reason),
  reportingComponent: (o) => str(o.reportingComponent),
  source: (o) => str(isObj(o.source) ? o.source.component : undefined),
  type: (o) => str(o.type),
};

/** Field selectors supported per resource, as the apiserver restricts them. */
export function parseFieldSelector(s: string, allowed: readonly string[]): FieldRequirement[] {
  return s
    .split(",")
    .filter((p) => p.trim() !== "")
    .map((part) => {
      const m = /^\s*([^!=\s]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(part);
      if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
      const [, field, op, value] = m;
      if (!allowed.includes(field) || !(field in fieldGetters)) {
        throw errors.badRequest(`field label not supported: ${field}`);
      }
      return { field, negate: op === "!=", value };
    });
}

export function matchesFields(reqs: FieldRequirement[], o: KObject): boolean {
  return reqs.every((r) => (fieldGetters[r.field](o) === r.value) !== r.negate);
}
