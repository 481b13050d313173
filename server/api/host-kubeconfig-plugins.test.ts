import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/server/testing/caller";
import { actorOf, createUser } from "@/server/testing/factories";
import { setPortalEnv } from "@/server/testing/portal-env";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  setPortalEnv(t.url);
  dir = await mkdtemp(path.join(tmpdir(), "ovc-plugin-"));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const kubeconfig = (user: string, cluster = "server: https://127.0.0.1:9") => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    ${cluster}
users:
- name: u
  user:
${user}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`;

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe("a host kubeconfig never runs a command, reads a file or goes through a proxy", () => {
  it("refuses an exec plugin before anything loads it, and the command never runs", async () => {
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const api = callerFor(t.db, actorOf(admin));
    const marker = path.join(dir, `ran-${randomBytes(4).toString("hex")}`);
    const exec = `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: ["-c", "touch ${marker}; echo '{}'"]\n      interactiveMode: Never`;
    const refused = await refusal(api.hostCluster.register({ name: "evil", kubeconfig: kubeconfig(exec) }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain("users[0].user.exec: exec plugins are refused");
    expect(existsSync(marker)).toBe(false);
    expect(await t.db.hostCluster.count()).toBe(0);
  });

  it("refuses auth providers, file paths, proxies, and anchors that could hide them", async () => {
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const api = callerFor(t.db, actorOf(admin));
    const cases: [string, string][] = [
      [kubeconfig("    auth-provider: {name: oidc, config: {}}"), "users[0].user.auth-provider"],
      [
        kubeconfig("    client-certificate: /etc/shadow\n    client-key: /etc/shadow"),
        "users[0].user.client-certificate: file paths are refused",
      ],
      [kubeconfig("    tokenFile: /var/run/secrets/token"), "users[0].user.tokenFile"],
      [
        kubeconfig("    token: t", "server: https://127.0.0.1:9\n    certificate-authority: /etc/ssl/private/key.pem"),
        "clusters[0].cluster.certificate-authority",
      ],
      [
        kubeconfig("    token: t", "server: https://127.0.0.1:9\n    proxy-url: http://169.254.169.254"),
        "clusters[0].cluster.proxy-url",
      ],
      [`x: &plugin {command: /bin/sh}\n${kubeconfig("    <<: *plugin")}`, "is not a kubeconfig the portal reads"],
    ];
    for (const [text, message] of cases) {
      const refused = await refusal(api.hostCluster.register({ name: "evil", kubeconfig: text }));
      expect(refused.message, text).toContain(message);
    }
    expect(await t.db.hostCluster.count()).toBe(0);
  });
});
