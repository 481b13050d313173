/**
 * A kubeconfig that comes from outside (a host registration, a Secret on a host) is read as data only: client-go
 * and client-node would run an `exec` plugin's command, call an `auth-provider`, read files named by path or send
 * everything through a `proxy-url`. Each is refused before anything loads the file, naming the field. The text is
 * read by Go YAML's rules (sigs.k8s.io/yaml, as kubectl reads it), so no anchor or merge key hides a field.
 */
import { invalidField } from "@/server/universal/errors";
import { readGoYaml } from "@/server/universal/go-yaml";

const USER_REFUSED: Record<string, string> = {
  exec: "exec plugins are refused: the portal never runs a command from a kubeconfig; give a token or client certificate data",
  "auth-provider": "auth-provider plugins are refused; give a token or client certificate data",
  "client-certificate": "file paths are refused; give client-certificate-data",
  "client-key": "file paths are refused; give client-key-data",
  tokenFile: "file paths are refused; give the token itself",
};

const CLUSTER_REFUSED: Record<string, string> = {
  "certificate-authority": "file paths are refused; give certificate-authority-data",
  "proxy-url": "proxies are refused: the portal connects to the cluster's server itself",
};

type Entry = Record<string, unknown>;

const entries = (value: unknown): Entry[] =>
  Array.isArray(value) ? value.filter((e): e is Entry => typeof e === "object" && e !== null) : [];

export function assertSafeKubeconfig(text: string, field = "kubeconfig"): void {
  let doc: unknown;
  try {
    doc = readGoYaml(text);
  } catch (error) {
    throw invalidField(
      field,
      `is not a kubeconfig the portal reads: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw invalidField(field, "is not a kubeconfig (a YAML mapping with clusters, users and contexts)");
  const config = doc as Entry;
  for (const [list, key, refused] of [
    ["users", "user", USER_REFUSED],
    ["clusters", "cluster", CLUSTER_REFUSED],
  ] as const) {
    entries(config[list]).forEach((entry, i) => {
      const body = entry[key];
      if (typeof body !== "object" || body === null) return;
      for (const [name, rule] of Object.entries(refused)) {
        if (name in body) throw invalidField(field, `${list}[${i}].${key}.${name}: ${rule}`);
      }
    });
  }
}
