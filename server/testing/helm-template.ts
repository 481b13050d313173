/**
 * Test support: the objects the real vcluster chart renders for a values file (`helm template` with a real helm), so
 * tests assert what an install would create rather than what the portal meant to write.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { helmBinary } from "@/server/adapters/helm/helm-binary";
import { testChart } from "./test-chart";

export interface RenderedObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface Rendered {
  objects: RenderedObject[];
  /** the one object of `kind` named `name`; fails the test when there is none */
  get(kind: string, name: string): RenderedObject;
  /** the syncer's vcluster.yaml, from the chart's vc-config-<name> Secret */
  config(): Record<string, unknown>;
}

export function helmTemplate(
  values: string,
  options: { chartVersion?: string; name?: string; namespace?: string } = {},
): Rendered {
  const { name = "vc1", namespace = "vc-ns" } = options;
  const chart = testChart(options.chartVersion);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "helm-template-"));
  try {
    const file = path.join(dir, "values.yaml");
    fs.writeFileSync(file, values);
    const out = execFileSync(
      helmBinary(),
      ["template", name, path.join(chart.ref, `vcluster-${chart.version}.tgz`), "-n", namespace, "-f", file],
      {
        encoding: "utf8",
        env: {
          NODE_ENV: process.env.NODE_ENV,
          PATH: process.env.PATH,
          HOME: dir,
          HELM_CACHE_HOME: path.join(dir, "cache"),
          HELM_CONFIG_HOME: path.join(dir, "config"),
          HELM_DATA_HOME: path.join(dir, "data"),
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const objects = parseAllDocuments(out, { version: "1.1" })
      .map((d) => d.toJS() as RenderedObject | null)
      .filter((o): o is RenderedObject => o !== null && typeof o === "object");
    const get = (kind: string, objectName: string) => {
      const found = objects.find((o) => o.kind === kind && o.metadata?.name === objectName);
      if (!found)
        throw new Error(
          `helm template rendered no ${kind}/${objectName}; it rendered ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(", ")}`,
        );
      return found;
    };
    return {
      objects,
      get,
      config: () => {
        const encoded = get("Secret", `vc-config-${name}`).data?.["config.yaml"];
        if (!encoded) throw new Error(`Secret vc-config-${name} has no config.yaml`);
        return parseAllDocuments(Buffer.from(encoded, "base64").toString("utf8"), {
          version: "1.1",
        })[0].toJS() as Record<string, unknown>;
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
