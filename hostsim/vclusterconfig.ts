import YAML from "yaml";
import { getPath, isObj, type Obj } from "./types";

const shared = [
  "global",
  "exportKubeConfig",
  "sync",
  "integrations",
  "deploy",
  "networking",
  "policies",
  "controlPlane",
  "privateNodes",
  "rbac",
  "plugins",
  "experimental",
  "telemetry",
  "serviceCIDR",
  "pro",
  "plugin",
  "logging",
];

/**
 * The JSON names of config.Config's fields (config/config.go), what UnmarshalStrict accepts at the top level; they
 * changed between the releases the tests install: v0.30.0 still had external and sleepMode, v0.36.1 has sleep,
 * snapshots, deletion and platform instead.
 */
const topLevelKeys = {
  "0.30": new Set([...shared, "external", "sleepMode"]),
  "0.36": new Set([...shared, "sleep", "snapshots", "deletion", "platform"]),
};

/** The config schema a syncer image understands, from its tag (e.g. ghcr.io/loft-sh/vcluster-pro:0.30.0). */
function schemaOf(syncerImage: string): keyof typeof topLevelKeys {
  const m = /:v?0\.(\d+)\./.exec(syncerImage);
  return m && Number(m[1]) < 36 ? "0.30" : "0.36";
}

const podSecurityStandards = new Set(["privileged", "baseline", "restricted"]);

const at = (c: Obj, path: string): unknown => getPath(c, path.split("."));
const on = (c: Obj, path: string): boolean => at(c, path) === true;
const text = (c: Obj, path: string): string => {
  const v = at(c, path);
  return typeof v === "string" ? v : "";
};

/** config.Config.BackingStoreType (config/config.go): the first enabled store, else the embedded database. */
export function backingStoreType(c: Obj): string {
  if (on(c, "controlPlane.backingStore.etcd.embedded.enabled")) return "embedded-etcd";
  if (on(c, "controlPlane.backingStore.etcd.external.enabled")) return "external-etcd";
  if (on(c, "controlPlane.backingStore.etcd.deploy.enabled")) return "deployed-etcd";
  if (on(c, "controlPlane.backingStore.database.embedded.enabled")) return "embedded-database";
  if (on(c, "controlPlane.backingStore.database.external.enabled")) return "external-database";
  return "embedded-database";
}

function validServer(server: string): boolean {
  if (!server.startsWith("https://") && !server.startsWith("http://")) return false;
  try {
    new URL(server);
    return true;
  } catch {
    return false;
  }
}

/**
 * The checks of ValidateConfigAndSetDefaults (pkg/config/validation.go, v0.36.1) about fields the chart exposes,
 * in the order the syncer makes them; returns the syncer's error, word for word, or undefined.
 */
function validate(c: Obj): string | undefined {
  const pss = text(c, "policies.podSecurityStandard");
  if (pss && !podSecurityStandards.has(pss))
    return `invalid argument enforce-pod-security-standard=${pss}, must be one of: privileged, baseline, restricted`;
  const replicas = at(c, "controlPlane.statefulSet.highAvailability.replicas");
  if (backingStoreType(c) === "embedded-database" && typeof replicas === "number" && replicas > 1)
    return "embedded database is not supported with multiple replicas";
  // sync.fromHost.storageClasses.enabled is a StrBool: YAML true and "true" both decode to "true".
  if (String(at(c, "sync.fromHost.storageClasses.enabled")) === "true" && on(c, "sync.toHost.storageClasses.enabled")) {
    return "you cannot enable both sync.fromHost.storageClasses.enabled and sync.toHost.storageClasses.enabled at the same time. Choose only one of them";
  }
  if (on(c, "sync.fromHost.priorityClasses.enabled") && on(c, "sync.toHost.priorityClasses.enabled"))
    return "cannot sync priorityclasses to and from host at the same time";
  const pdb = at(c, "controlPlane.advanced.podDisruptionBudget");
  if (isObj(pdb) && pdb.enabled === true && pdb.maxUnavailable != null && pdb.minAvailable != null)
    return "minAvailable and maxUnavailable cannot be used together in a podDisruptionBudget";
  const secret = at(c, "exportKubeConfig.secret");
  const additional = at(c, "exportKubeConfig.additionalSecrets");
  const extra = Array.isArray(additional) ? additional.filter(isObj) : [];
  if (isObj(secret) && (secret.name || secret.namespace) && extra.length > 0)
    return "exportKubeConfig.Secret and exportKubeConfig.AdditionalSecrets cannot be set at the same time";
  if (extra.some((s) => !s.name && !s.namespace)) return "additional secret must have name and/or namespace set";
  const server = text(c, "exportKubeConfig.server");
  if (server && !validServer(server))
    return "exportKubeConfig.Server has to be set to a valid URL (with https:// or http:// prefix)";
  return undefined;
}

/**
 * Parses config.yaml as ParseConfigBytes does (pkg/config/parse.go): YAML → JSON → yaml.UnmarshalStrict, which
 * refuses unknown fields (checked here at the top level), then validation. Errors read as the syncer prints them.
 */
export function parseVClusterConfig(raw: string, syncerImage: string): { config: Obj } | { error: string } {
  let parsed: unknown;
  try {
    parsed = YAML.parse(raw) ?? {};
  } catch (e) {
    return {
      error: `parsing config bytes: error converting YAML to JSON: yaml: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    };
  }
  if (!isObj(parsed))
    return {
      error:
        "parsing config bytes: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type config.Config",
    };
  const known = topLevelKeys[schemaOf(syncerImage)];
  const unknown = Object.keys(parsed).find((k) => !known.has(k));
  if (unknown)
    return {
      error: `parsing config bytes: error unmarshaling JSON: while decoding JSON: json: unknown field "${unknown}"`,
    };
  const invalid = validate(parsed);
  return invalid ? { error: `parsing config bytes: ${invalid}` } : { config: parsed };
}

/** exportKubeConfig.server, which replaces https://localhost:<proxy port> in vc-NAME (pkg/setup/controllers.go). */
export const exportServer = (c: Obj): string => text(c, "exportKubeConfig.server");
export const exportContext = (c: Obj): string => text(c, "exportKubeConfig.context");
export const proxyPort = (c: Obj): number => {
  const p = at(c, "controlPlane.proxy.port");
  return typeof p === "number" && p > 0 ? p : 8443;
};
export const extraSANs = (c: Obj): string[] => {
  const v = at(c, "controlPlane.proxy.extraSANs");
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
};
/** The workload ServiceAccount synced pods run as: "vc-workload-NAME" unless configured (ValidateConfigAndSetDefaults). */
export const workloadServiceAccount = (c: Obj, name: string): string =>
  text(c, "controlPlane.advanced.workloadServiceAccount.name") || `vc-workload-${name}`;
