/**
 * The authorization rule of every tRPC procedure, with a plausible input for each, for the RBAC walk and the fuzz
 * test. A procedure missing here fails the walk: whoever adds one declares who may call it.
 */
import { randomBytes } from "node:crypto";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import type { HostCluster, Project, User, VCluster, VClusterPhase } from "@/server/generated/prisma/client";
import { seal } from "@/server/security/seal";
import { createApiToken } from "@/server/services/api-tokens";
import { personalKubeToken } from "@/server/services/kube-access/kube-tokens";
import { createWebhook } from "@/server/services/notify/webhooks";
import { recordTestVCluster, TEST_CREDENTIALS_KEY } from "./engine-harness";
import { actorOf, createProject, createUser } from "./factories";
import { DEFAULT_CHART_VERSION } from "@/server/adapters/helm/chart-source";

/** Who may call: anyone, any signed-in user, a project role or above (platform admins count as owners), admins. */
export type Level = "public" | "signedIn" | "VIEWER" | "MEMBER" | "OWNER" | "admin";
/** The callers of the walk, relative to the world's project. */
export type Who = "anonymous" | "otherProject" | "VIEWER" | "MEMBER" | "OWNER" | "admin";

export const LEVEL_RANK: Record<Level, number> = { public: 0, signedIn: 1, VIEWER: 2, MEMBER: 3, OWNER: 4, admin: 5 };
export const WHO_RANK: Record<Who, number> = { anonymous: 0, otherProject: 1, VIEWER: 2, MEMBER: 3, OWNER: 4, admin: 5 };
export const CALLERS: Who[] = ["anonymous", "otherProject", "VIEWER", "MEMBER", "OWNER", "admin"];

export interface World {
  db: Db;
  project: Project;
  otherProject: Project;
  users: Record<Exclude<Who, "anonymous">, User>;
  host: HostCluster;
  /** a RUNNING cluster of the project, left in place for reads */
  vcluster: VCluster;
  webhookId: string;
  /** a READY snapshot of `vcluster` */
  snapshotId: string;
  actor(who: Who): Actor | null;
  /** a new cluster of the project (RUNNING unless told), for calls that change or remove one */
  freshVCluster(phase?: VClusterPhase): Promise<VCluster>;
  /** a new VIEWER of the project, for calls that change or remove a membership */
  spareMember(): Promise<User>;
  freshWebhookId(): Promise<string>;
  freshSnapshotId(): Promise<string>;
}

const unique = () => randomBytes(4).toString("hex");

export async function createWorld(db: Db): Promise<World> {
  const users = {
    otherProject: await createUser(db),
    VIEWER: await createUser(db),
    MEMBER: await createUser(db),
    OWNER: await createUser(db),
    admin: await createUser(db, { isPlatformAdmin: true }),
  };
  const project = await createProject(db, [
    { userId: users.VIEWER.id, role: "VIEWER" },
    { userId: users.MEMBER.id, role: "MEMBER" },
    { userId: users.OWNER.id, role: "OWNER" },
  ]);
  const otherProject = await createProject(db, [{ userId: users.otherProject.id, role: "OWNER" }]);
  const unreachable = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:9"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;
  const host = await db.hostCluster.create({
    data: { name: `host-${unique()}`, apiEndpoint: "https://127.0.0.1:9", credentialsEncrypted: seal(unreachable, TEST_CREDENTIALS_KEY), capacityCpuMillis: 1_000_000, capacityMemoryBytes: 1n << 42n, health: "HEALTHY" },
  });
  const freshVCluster = async (phase: VClusterPhase = "RUNNING") => {
    const { vcluster, operation } = await recordTestVCluster(db, project.id, users.OWNER.id, `vc-${unique()}`);
    await db.operation.update({ where: { id: operation.id }, data: { state: "SUCCEEDED", finishedAt: new Date() } });
    return db.vCluster.update({ where: { id: vcluster.id }, data: { phase, readyReplicas: phase === "RUNNING" ? 1 : 0 } });
  };
  const freshWebhookId = async () =>
    (await db.$transaction((tx) => createWebhook(tx, TEST_CREDENTIALS_KEY, project.id, { url: "https://example.com/hook", events: ["vcluster.failed"] }))).webhook.id;
  const vcluster = await freshVCluster();
  const freshSnapshotId = async () =>
    (await db.snapshot.create({ data: { name: `s-${unique()}`, vclusterId: vcluster.id, vclusterName: vcluster.name, projectId: project.id, status: "READY", completedAt: new Date() } })).id;
  return {
    db,
    project,
    otherProject,
    users,
    host,
    vcluster,
    webhookId: await freshWebhookId(),
    snapshotId: await freshSnapshotId(),
    actor: (who) => (who === "anonymous" ? null : actorOf(users[who])),
    freshVCluster,
    freshWebhookId,
    freshSnapshotId,
    async spareMember() {
      const user = await createUser(db);
      await db.membership.create({ data: { userId: user.id, projectId: project.id, role: "VIEWER" } });
      return user;
    },
  };
}

export interface ProcedureRule {
  min: Level;
  input(world: World, caller: Actor | null): unknown;
}

const P = (w: World) => w.project.id;

/**
 * A pending invitation for an email; to the world's other project unless told, so that accepting it leaves every
 * caller's role in the walked project as it was.
 */
async function inviteTo(w: World, email: string, project = w.otherProject): Promise<string> {
  const invitation = await w.db.projectInvitation.upsert({
    where: { projectId_email: { projectId: project.id, email: email.toLowerCase() } },
    create: { projectId: project.id, email: email.toLowerCase(), role: "VIEWER", expiresAt: new Date(Date.now() + 3_600_000) },
    update: {},
  });
  return invitation.id;
}
const kubernetesVersion = "1.31.1";

export const PROCEDURE_RULES: Record<string, ProcedureRule> = {
  "system.ping": { min: "public", input: () => undefined },
  "me.get": { min: "signedIn", input: () => undefined },
  "me.invitations": { min: "signedIn", input: () => undefined },
  // the caller's own invitation, so an allowed caller has something to answer
  "me.acceptInvitation": { min: "signedIn", input: async (w, caller) => ({ invitationId: caller ? await inviteTo(w, caller.email) : "no-such-invitation" }) },
  "me.declineInvitation": { min: "signedIn", input: async (w, caller) => ({ invitationId: caller ? await inviteTo(w, caller.email) : "no-such-invitation" }) },

  "project.list": { min: "signedIn", input: () => undefined },
  "project.myRole": { min: "VIEWER", input: (w) => ({ projectId: P(w) }) },
  "project.create": { min: "admin", input: () => ({ slug: `p-${unique()}`, name: "Walked project" }) },
  "project.members": { min: "VIEWER", input: (w) => ({ projectId: P(w) }) },
  "project.addMember": { min: "OWNER", input: async (w) => ({ projectId: P(w), email: (await createUser(w.db)).email, role: "VIEWER" }) },
  "project.invitations": { min: "OWNER", input: (w) => ({ projectId: P(w) }) },
  "project.cancelInvitation": { min: "OWNER", input: async (w) => ({ projectId: P(w), invitationId: await inviteTo(w, `walked-${unique()}@example.com`, w.project) }) },
  "project.setRole": { min: "OWNER", input: async (w) => ({ projectId: P(w), userId: (await w.spareMember()).id, role: "MEMBER" }) },
  "project.removeMember": { min: "OWNER", input: async (w) => ({ projectId: P(w), userId: (await w.spareMember()).id }) },
  "project.quota": { min: "VIEWER", input: (w) => ({ projectId: P(w) }) },
  "project.setQuota": {
    min: "OWNER",
    input: (w) => ({ projectId: P(w), maxVClusters: 10_000, maxCpuMillis: 100_000_000, maxMemoryBytes: 1n << 50n, maxStorageBytes: 1n << 50n, maxSnapshots: 100_000 }),
  },

  "vcluster.create": { min: "MEMBER", input: (w) => ({ projectId: P(w), name: `walk-${unique()}`, spec: { kubernetesVersion } }) },
  "vcluster.dryRun": { min: "MEMBER", input: (w) => ({ projectId: P(w), name: `walk-${unique()}`, spec: { kubernetesVersion } }) },
  "vcluster.get": { min: "VIEWER", input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.list": { min: "signedIn", input: () => ({}) },
  "vcluster.update": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster()).id, spec: { kubernetesVersion }, labels: { walked: "yes" } }) },
  "vcluster.scale": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster()).id, replicas: 2 }) },
  "vcluster.suspend": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster()).id }) },
  "vcluster.resume": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster("SUSPENDED")).id }) },
  "vcluster.recover": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster("ERROR")).id }) },
  "vcluster.upgradeChart": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster()).id, chartVersion: DEFAULT_CHART_VERSION }) },
  "vcluster.delete": {
    min: "MEMBER",
    input: async (w) => {
      const v = await w.freshVCluster();
      return { id: v.id, confirmName: v.name };
    },
  },
  "vcluster.snapshot": { min: "MEMBER", input: (w) => ({ id: w.vcluster.id, name: "walked" }) },
  "vcluster.restore": { min: "MEMBER", input: async (w) => ({ id: (await w.freshVCluster()).id, snapshotId: w.snapshotId }) },
  "vcluster.kubeconfig": { min: "VIEWER", input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.rotateKubeconfig": { min: "VIEWER", input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.directKubeconfig": { min: "OWNER", input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.kubeAccess": { min: "VIEWER", input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.revokeKubeAccess": {
    min: "VIEWER",
    // the caller's own token, so an allowed caller has something to revoke
    input: async (w, actor) => ({ id: w.vcluster.id, tokenId: actor ? (await w.db.$transaction((tx) => personalKubeToken(tx, actor.userId, w.vcluster.id, TEST_CREDENTIALS_KEY))).view.id : "none" }),
  },
  "vcluster.watch": { min: "VIEWER", input: (w) => ({ projectId: P(w) }) },

  "snapshot.create": { min: "MEMBER", input: async (w) => ({ vclusterId: (await w.freshVCluster()).id, name: `s-${unique()}` }) },
  "snapshot.list": { min: "signedIn", input: () => ({}) },
  "snapshot.get": { min: "VIEWER", input: (w) => ({ id: w.snapshotId }) },
  "snapshot.delete": { min: "MEMBER", input: async (w) => ({ id: await w.freshSnapshotId() }) },
  "snapshot.restore": { min: "MEMBER", input: async (w) => ({ vclusterId: (await w.freshVCluster()).id, snapshotId: w.snapshotId }) },
  "snapshot.preview": { min: "MEMBER", input: (w) => ({ vclusterId: w.vcluster.id, snapshotId: w.snapshotId }) },
  "snapshot.clone": { min: "MEMBER", input: (w) => ({ snapshotId: w.snapshotId, name: `clone-${unique()}` }) },
  "snapshot.policy": { min: "VIEWER", input: (w) => ({ vclusterId: w.vcluster.id }) },
  "snapshot.setPolicy": { min: "MEMBER", input: async (w) => ({ vclusterId: (await w.freshVCluster()).id, keepLast: 3, schedule: null }) },

  "apiToken.create": { min: "signedIn", input: () => ({ name: "walked", expiresInDays: 1 }) },
  "apiToken.list": { min: "signedIn", input: () => undefined },
  "apiToken.revoke": {
    min: "signedIn",
    input: async (w, caller) => ({ id: caller ? (await createApiToken(w.db, caller, { name: "to revoke", expiresInDays: 1 })).view.id : "no-such-token" }),
  },

  "user.list": { min: "admin", input: () => undefined },
  "user.revokeSessions": { min: "admin", input: (w) => ({ userId: w.users.VIEWER.id }) },

  "hostCluster.list": { min: "admin", input: () => undefined },
  "hostCluster.register": { min: "admin", input: () => ({ name: `h-${unique()}`, kubeconfig: "apiVersion: v1\nkind: Config\n" }) },
  "hostCluster.setCordoned": { min: "admin", input: (w) => ({ id: w.host.id, cordoned: false }) },

  "audit.list": { min: "admin", input: () => ({}) },
  "audit.verify": { min: "admin", input: () => undefined },

  "notification.list": { min: "signedIn", input: () => ({}) },
  "notification.unreadCount": { min: "signedIn", input: () => undefined },
  "notification.markRead": { min: "signedIn", input: () => ({ ids: ["no-such-notification"] }) },
  "notification.markAllRead": { min: "signedIn", input: () => undefined },

  "webhook.create": { min: "OWNER", input: (w) => ({ projectId: P(w), url: "https://example.com/walked", events: ["vcluster.failed"] }) },
  "webhook.list": { min: "OWNER", input: (w) => ({ projectId: P(w) }) },
  "webhook.update": { min: "OWNER", input: (w) => ({ projectId: P(w), id: w.webhookId, active: true }) },
  "webhook.delete": { min: "OWNER", input: async (w) => ({ projectId: P(w), id: await w.freshWebhookId() }) },
  "webhook.deliveries": { min: "OWNER", input: (w) => ({ projectId: P(w), webhookId: w.webhookId }) },
  "webhook.test": { min: "OWNER", input: (w) => ({ projectId: P(w), id: w.webhookId }) },
};

/**
 * The REST-only procedures (server/api/rest/rest-only.ts, published under /api/v1 only), keyed by their name in that
 * router; walked by server/api/rest/rest-only-rbac.test.ts. Byte counts are decimal strings there.
 */
export const REST_ONLY_RULES: Record<string, ProcedureRule> = {
  listProjectVClusters: { min: "VIEWER", input: (w) => ({ projectId: P(w) }) },
  listVClusterSnapshots: { min: "signedIn", input: (w) => ({ id: w.vcluster.id }) },
  listSnapshots: { min: "signedIn", input: () => ({}) },
  getSnapshot: { min: "VIEWER", input: (w) => ({ id: w.snapshotId }) },
  getQuota: { min: "VIEWER", input: (w) => ({ projectId: P(w) }) },
  setQuota: {
    min: "OWNER",
    input: (w) => ({ projectId: P(w), maxVClusters: 10_000, maxCpuMillis: 100_000_000, maxMemoryBytes: String(1n << 50n), maxStorageBytes: String(1n << 50n), maxSnapshots: 100_000 }),
  },
  listHostClusters: { min: "admin", input: () => undefined },
  registerHostCluster: { min: "admin", input: () => ({ name: `h-${unique()}`, kubeconfig: "apiVersion: v1\nkind: Config\n", capacityMemoryBytes: "1073741824" }) },
  listAudit: { min: "admin", input: () => ({}) },
  verifyAudit: { min: "admin", input: () => undefined },
};
