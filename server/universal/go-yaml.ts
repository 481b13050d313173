/**
 * YAML read and written the way helm reads values files: sigs.k8s.io/yaml, i.e. go-yaml v2 and YAML 1.1, where
 * `yes`/`on`/`y` are booleans, `0x10` and `010` are numbers and `<<` merges. The `yaml` package's 1.1 schema is
 * brought to go-yaml v2's rules (no sexagesimal numbers or timestamps, `0o` octal), so a value the portal checked is
 * the value helm sees, and a string the portal writes is quoted wherever helm would read something else.
 * Anchors, aliases, merge keys, tags, duplicate keys and non-string keys are refused: each is a way for the text the
 * portal checks to differ from the values helm builds.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, parseDocument, stringify, visit, type Tags } from "yaml";

const MAX_DEPTH = 16;

/** go-yaml v2 reads `0o17` with Go's strconv.ParseInt(s, 0, 64); YAML 1.1 alone would leave it a string. */
const goOctal = {
  identify: () => false,
  default: true,
  tag: "tag:yaml.org,2002:int",
  format: "OCT",
  test: /^[-+]?0o[0-7_]+$/,
  resolve: (text: string) => {
    const negative = text.startsWith("-");
    const digits = text.replace(/^[-+]?0o/, "").replace(/_/g, "");
    return (negative ? -1 : 1) * parseInt(digits, 8);
  },
};

function goTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => {
    const t = typeof tag === "string" ? tag : tag.tag;
    const format = typeof tag === "string" ? undefined : tag.format;
    return format !== "TIME" && t !== "tag:yaml.org,2002:timestamp";
  });
  return [...kept, goOctal];
}

const OPTIONS = { version: "1.1", customTags: goTags } as const;

export class GoYamlError extends Error {
  override name = "GoYamlError";
}

/** A YAML 1.1 document as helm would read it; throws GoYamlError naming the rule (and the key where there is one). */
export function readGoYaml(text: string): unknown {
  const doc = parseDocument(text, { ...OPTIONS, merge: false, uniqueKeys: false, prettyErrors: false });
  const [error] = doc.errors;
  if (error) throw new GoYamlError(`must be valid YAML (${error.message.split("\n")[0]})`);
  const problem = (message: string): never => {
    throw new GoYamlError(message);
  };
  visit(doc, (_key, node, path) => {
    if (isAlias(node)) problem(`must not use aliases (*${node.source}): write the value out`);
    if ((isScalar(node) || isCollection(node)) && node.anchor)
      problem(`must not use anchors (&${node.anchor}): write the value out`);
    if ((isScalar(node) || isCollection(node)) && node.tag)
      problem(`must not use tags (${node.tag}): write the plain value`);
    if (isCollection(node) && path.filter(isCollection).length >= MAX_DEPTH)
      problem(`must not nest deeper than ${MAX_DEPTH} levels`);
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) return problem("keys must be plain strings");
      const key = pair.key.value;
      // with merging off, the 1.1 schema still reads a plain << as its merge marker (a symbol)
      if (key === "<<" || typeof key === "symbol") return problem("must not use merge keys (<<): write the keys out");
      if (typeof key !== "string")
        return problem(
          `key ${String(pair.key.source ?? key)} is read as a ${key === null ? "null" : typeof key} by helm (YAML 1.1); quote it`,
        );
      if (seen.has(key)) return problem(`key ${key} appears twice in one mapping`);
      seen.add(key);
    }
  });
  return doc.toJS({ maxAliasCount: 0 });
}

/** YAML that helm reads back as exactly `value`. */
export function writeGoYaml(value: unknown): string {
  return stringify(value, OPTIONS);
}
