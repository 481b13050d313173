import YAML from "yaml";

export interface KubeconfigInput {
  name: string;
  server: string;
  caPem: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Cluster, user and context names when they differ from name (vcluster's are kubeadm's admin.conf names). */
  names?: { cluster: string; user: string; context: string };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function kubeconfigYaml(k: KubeconfigInput): string {
  const user: Record<string, string> = {};
  if (k.token) user.token = k.token;
  if (k.clientCertPem && k.clientKeyPem) {
    user["client-certificate-data"] = b64(k.clientCertPem);
    user["client-key-data"] = b64(k.clientKeyPem);
  }
  const n = k.names ?? { cluster: k.name, user: k.name, context: k.name };
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: n.cluster, cluster: { server: k.server, "certificate-authority-data": b64(k.caPem) } }],
    users: [{ name: n.user, user }],
    contexts: [
      { name: n.context, context: { cluster: n.cluster, user: n.user, ...(k.names ? {} : { namespace: "default" }) } },
    ],
    "current-context": n.context,
    preferences: {},
  });
}
