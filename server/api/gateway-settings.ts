import { readFileSync } from "node:fs";
import { env, gatewayUrl } from "@/server/env";
import type { GatewaySettings } from "@/server/services/vclusters/kubeconfig";

let caPem: string | null | undefined;

/** Where downloaded kubeconfigs point, the CA they trust it with, and the key their tokens are sealed with. */
export function gatewaySettings(): GatewaySettings {
  const e = env();
  caPem ??= e.GATEWAY_CA_FILE ? readFileSync(e.GATEWAY_CA_FILE, "utf8") : null;
  return { gatewayUrl: gatewayUrl(e), caPem, credentialsKey: e.HOST_CREDENTIALS_KEY };
}
