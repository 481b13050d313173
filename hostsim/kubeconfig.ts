import YAML from "yaml";

export interface KubeconfigInput {
  name: string;
  server: string;
  caPem: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function kubeconfigYaml(k: KubeconfigInput): string {
  const user: Record<string, string> = {};
  if (k.token) user.token = k.token;
  if (k.clientCertPem && k.clientKeyPem) {
    user["client-certificate-data"] = b64(k.clientCertPem);
    user["client-key-data"] = b64(k.clientKeyPem);
  }
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: k.name, cluster: { server: k.server, "certificate-authority-data": b64(k.caPem) } }],
    users: [{ name: k.name, user }],
    contexts: [{ name: k.name, context: { cluster: k.name, user: k.name, namespace: "default" } }],
    "current-context": k.name,
    preferences: {},
  });
}
