/**
 * `npm start`: brings up what the portal needs and then the Next.js server. With no DATABASE_URL it starts an
 * embedded PostgreSQL persisted under DATA_DIR; it applies migrations, creates the first admin on an empty
 * database, builds on first run, and stops everything it started on SIGINT/SIGTERM or when the web server exits.
 *
 * The embedded S3 store and the simulated host each run in a child process that is started again when it dies
 * (./supervise.ts), so a crash in one of them does not take the database, the other or the web server with it.
 * The embedded PostgreSQL stays in this process: PGlite does not reliably recover a data directory its process left
 * mid-write (https://github.com/electric-sql/pglite/issues/327), and two processes opening one corrupt it (#1106),
 * so starting it again by itself after a crash could cost the data.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { probeHostCluster } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import { createDb, type Db } from "@/server/db/client";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/server/db/embedded-postgres";
import { applyMigrations } from "@/server/db/migrate/apply-migrations";
import { bootstrapFirstAdmin } from "./bootstrap";
import { registerHostCluster } from "@/server/services/host-clusters";
import { ensureBuild } from "./build";
import { startEmbeddedS3 } from "./embedded-s3";
import { ensureLocalTls } from "./local-tls";
import { loadOrCreateSecrets, type LocalSecrets } from "./secrets";
import { startSupervisedHostSim } from "./supervised-hostsim";

const root = process.cwd();
const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
const stoppers: (() => Promise<void>)[] = [];
let child: ChildProcess | null = null;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    for (const stop of stoppers.reverse())
      await stop().catch((error: unknown) => console.error("while stopping:", error));
  }
  process.exit(code);
}

async function startDatabase(password: string): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), password });
  stoppers.push(() => embedded.stop());
  console.log(`embedded PostgreSQL: data in ${path.join(dataDir, "pg")}`);
  return embedded.url;
}

/** Embedded mode's host cluster: the simulated host, registered as `local` with whatever address it has now. */
async function startLocalHost(db: Db, secrets: LocalSecrets): Promise<void> {
  const wanted = process.env.EMBEDDED_HOST_CLUSTER ?? (process.env.DATABASE_URL ? "false" : "true");
  if (wanted !== "true") return;
  const sim = await startSupervisedHostSim({
    dataDir: path.join(dataDir, "hostsim"),
    port: Number(process.env.HOSTSIM_PORT ?? 6443),
  });
  stoppers.push(() => sim.stop());
  await registerHostCluster(
    db,
    secrets.HOST_CREDENTIALS_KEY,
    { name: "local", kubeconfig: sim.kubeconfig, labels: { "open-vcluster.io/simulated": "true" } },
    (kubeconfig) => probeHostCluster(kubeconfig),
  );
  // the host's admin credentials, for kubectl and port-forwards to the virtual clusters (as on a real host)
  const adminKubeconfig = path.join(dataDir, "hostsim", "admin.kubeconfig");
  await writeFile(adminKubeconfig, sim.kubeconfig, { mode: 0o600 });
  console.log(
    `simulated host cluster "local" at ${sim.url} (data in ${path.join(dataDir, "hostsim")}, admin kubeconfig ${adminKubeconfig})`,
  );
}

/** Without S3 settings, snapshots go to an embedded S3-compatible store under DATA_DIR/s3. */
async function startSnapshotStore(): Promise<Record<string, string>> {
  if (process.env.S3_BUCKET) return {};
  const s3 = await startEmbeddedS3({
    dataDir: path.join(dataDir, "s3"),
    port: process.env.EMBEDDED_S3_PORT ? Number(process.env.EMBEDDED_S3_PORT) : undefined,
  });
  stoppers.push(() => s3.stop());
  console.log(`embedded S3 store at ${s3.endpoint} (data in ${path.join(dataDir, "s3")})`);
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
}

/**
 * Unless something in front terminates TLS (an https PORTAL_URL) or a certificate is given, the portal serves TLS
 * itself with a local CA under DATA_DIR/tls, which downloaded kubeconfigs carry: kubectl sends tokens only over TLS.
 */
function localTlsEnv(portal: string): Record<string, string> {
  if (process.env.TLS_CERT_FILE || new URL(portal).protocol === "https:") return {};
  const tls = ensureLocalTls(path.join(dataDir, "tls"), [
    ...new Set(["localhost", "127.0.0.1", new URL(portal).hostname]),
  ]);
  return {
    TLS_CERT_FILE: tls.certFile,
    TLS_KEY_FILE: tls.keyFile,
    GATEWAY_CA_FILE: process.env.GATEWAY_CA_FILE ?? tls.caFile,
  };
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stopAll(0));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT must be a TCP port number, got ${process.env.PORT}`);

  const secrets = await loadOrCreateSecrets(dataDir);
  const databaseUrl = await startDatabase(secrets.EMBEDDED_DB_PASSWORD);
  const report = await applyMigrations(databaseUrl);
  console.log(`migrations: ${report.applied.length} applied, ${report.alreadyApplied} already applied`);

  const db = createDb(databaseUrl);
  try {
    const { admin } = await bootstrapFirstAdmin(db, {
      email: process.env.ADMIN_EMAIL,
      password: process.env.ADMIN_PASSWORD,
    });
    if (admin?.generatedPassword) {
      console.log(`\n  First admin created: ${admin.email}\n  Password (shown once): ${admin.generatedPassword}\n`);
    } else if (admin) {
      console.log(`first admin created: ${admin.email} (password from ADMIN_PASSWORD)`);
    }
    await startLocalHost(db, secrets);
  } finally {
    await db.$disconnect();
  }

  const s3Env = await startSnapshotStore();
  await ensureBuild(root);
  if (stopping) return;
  const nextauthUrl = process.env.NEXTAUTH_URL ?? `http://localhost:${port}`;
  const tlsEnv = localTlsEnv(process.env.PORTAL_URL ?? nextauthUrl);
  child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server/launch/serve.ts")], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      NEXTAUTH_SECRET: secrets.NEXTAUTH_SECRET,
      HOST_CREDENTIALS_KEY: secrets.HOST_CREDENTIALS_KEY,
      ...s3Env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      ...tlsEnv,
      NEXTAUTH_URL: nextauthUrl,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`the portal's server exited (${signal ?? code}); stopping`);
      void stopAll(code ?? 1);
    }
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void stopAll(1);
});
