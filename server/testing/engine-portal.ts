/**
 * The production build with its in-process engine, a simulated host cluster and an embedded S3 store, on a fresh
 * database: what the CLI and REST tests drive over HTTP. Also makes a project member's API token.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedS3 } from "@/server/launch/embedded-s3";
import { createApiToken } from "@/server/services/api-tokens";
import { registerTestHost, startTestHost, TEST_CREDENTIALS_KEY } from "./engine-harness";
import { actorOf, createProject, createUser } from "./factories";
import { startPortal } from "./portal-server";
import { createTestDatabase, type TestDatabase } from "./test-database";

export interface EnginePortal {
  url: string;
  /** the CA of the portal's TLS, which the gateway's https:// address uses */
  caFile: string;
  /** the simulated host's admin kubeconfig */
  hostKubeconfig: string;
  t: TestDatabase;
  project: { id: string; slug: string };
  /** an API token of the project's OWNER */
  token: string;
  stop(): Promise<void>;
}

export async function startEnginePortal(env: Record<string, string> = {}): Promise<EnginePortal> {
  const t = await createTestDatabase();
  const host = await startTestHost();
  const s3Dir = await mkdtemp(path.join(tmpdir(), "ovc-s3-"));
  const s3 = await startEmbeddedS3({ dataDir: s3Dir });
  await registerTestHost(t.db, "local", host.kubeconfig);
  const portal = await startPortal({
    databaseUrl: t.url,
    env: {
      HOST_CREDENTIALS_KEY: TEST_CREDENTIALS_KEY,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
      ...env,
    },
  });
  const owner = await createUser(t.db);
  const project = await createProject(t.db, [{ userId: owner.id, role: "OWNER" }]);
  const { token } = await createApiToken(t.db, actorOf(owner), { name: "tests", expiresInDays: 1 });
  return {
    url: portal.url,
    caFile: portal.caFile,
    hostKubeconfig: host.kubeconfig,
    t,
    project,
    token,
    async stop() {
      await portal.stop();
      await Promise.all([host.close(), s3.stop()]);
      await rm(s3Dir, { recursive: true, force: true });
      await t.close();
    },
  };
}
