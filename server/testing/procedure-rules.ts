/**
 * A plausible input for every tRPC procedure, for the RBAC walk and the fuzz test, which check each against the
 * scope and role its command declares. A procedure missing here fails the walk.
 */
import { randomBytes } from "node:crypto";
import type { Level } from "@/server/api/command";

export type { Level };
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

/** The callers of the walk, relative to the world's project. */
export type Who = "anonymous" | "otherProject" | "VIEWER" | "MEMBER" | "OWNER" | "admin";

export const LEVEL_RANK: Record<Level, number> = { public: 0, signedIn: 1, VIEWER: 2, MEMBER: 3, OWNER: 4, admin: 5 };
export const WHO_RANK: Record<Who, number> = {
  anonymous: 0,
  otherProject: 1,
  VIEWER: 2,
  MEMBER: 3,
  OWNER: 4,
  admin: 5,
};
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
    data: {
      name: `host-${unique()}`,
      apiEndpoint: "https://127.0.0.1:9",
      credentialsEncrypted: seal(unreachable, TEST_CREDENTIALS_KEY),
      capacityCpuMillis: 1_000_000,
      capacityMemoryBytes: 1n << 42n,
      health: "HEALTHY",
    },
  });
  const freshVCluster = async (phase: VClusterPhase = "RUNNING") => {
    const { vcluster, operation } = await recordTestVCluster(db, project.id, users.OWNER.id, `vc-${unique()}`);
    await db.operation.update({ where: { id: operation.id }, data: { state: "SUCCEEDED", finishedAt: new Date() } });
    return db.vCluster.update({
      where: { id: vcluster.id },
      data: { phase, readyReplicas: phase === "RUNNING" ? 1 : 0 },
    });
  };
  const freshWebhookId = async () =>
    (
      await db.$transaction((tx) =>
        createWebhook(tx, TEST_CREDENTIALS_KEY, project.id, {
          url: "https://example.com/hook",
          events: ["vcluster.failed"],
        }),
      )
    ).webhook.id;
  const vcluster = await freshVCluster();
  const freshSnapshotId = async () =>
    (
      await db.snapshot.create({
        data: {
          name: `s-${unique()}`,
          vclusterId: vcluster.id,
          vclusterName: vcluster.name,
          projectId: project.id,
          status: "READY",
          completedAt: new Date(),
        },
      })
    ).id;
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

/** Who may call is the command's own declaration (server/api/command.ts); this is what to call it with. */
export interface ProcedureRule {
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
    create: {
      projectId: project.id,
      email: email.toLowerCase(),
      role: "VIEWER",
      expiresAt: new Date(Date.now() + 3_600_000),
    },
    update: {},
  });
  return invitation.id;
}
const kubernetesVersion = "1.31.1";

export const PROCEDURE_RULES: Record<string, ProcedureRule> = {
  "system.ping": { input: () => undefined },
  "me.get": { input: () => undefined },
  "me.invitations": { input: () => undefined },
  // the caller's own invitation, so an allowed caller has something to answer
  "me.acceptInvitation": {
    input: async (w, caller) => ({ invitationId: caller ? await inviteTo(w, caller.email) : "no-such-invitation" }),
  },
  "me.declineInvitation": {
    input: async (w, caller) => ({ invitationId: caller ? await inviteTo(w, caller.email) : "no-such-invitation" }),
  },

  "project.list": { input: () => undefined },
  "project.myRole": { input: (w) => ({ projectId: P(w) }) },
  "project.create": { input: () => ({ slug: `p-${unique()}`, name: "Walked project" }) },
  "project.members": { input: (w) => ({ projectId: P(w) }) },
  "project.addMember": {
    input: async (w) => ({ projectId: P(w), email: (await createUser(w.db)).email, role: "VIEWER" }),
  },
  "project.invitations": { input: (w) => ({ projectId: P(w) }) },
  "project.cancelInvitation": {
    input: async (w) => ({
      projectId: P(w),
      invitationId: await inviteTo(w, `walked-${unique()}@example.com`, w.project),
    }),
  },
  "project.setRole": { input: async (w) => ({ projectId: P(w), userId: (await w.spareMember()).id, role: "MEMBER" }) },
  "project.removeMember": { input: async (w) => ({ projectId: P(w), userId: (await w.spareMember()).id }) },
  "project.quota": { input: (w) => ({ projectId: P(w) }) },
  "project.setQuota": {
    input: (w) => ({
      projectId: P(w),
      maxVClusters: 10_000,
      maxCpuMillis: 100_000_000,
      maxMemoryBytes: 1n << 50n,
      maxStorageBytes: 1n << 50n,
      maxSnapshots: 100_000,
    }),
  },

  "vcluster.create": { input: (w) => ({ projectId: P(w), name: `walk-${unique()}`, spec: { kubernetesVersion } }) },
  "vcluster.dryRun": { input: (w) => ({ projectId: P(w), name: `walk-${unique()}`, spec: { kubernetesVersion } }) },
  "vcluster.get": { input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.list": { input: () => ({}) },
  "vcluster.update": {
    input: async (w) => ({ id: (await w.freshVCluster()).id, spec: { kubernetesVersion }, labels: { walked: "yes" } }),
  },
  "vcluster.scale": { input: async (w) => ({ id: (await w.freshVCluster()).id, replicas: 2 }) },
  "vcluster.suspend": { input: async (w) => ({ id: (await w.freshVCluster()).id }) },
  "vcluster.resume": { input: async (w) => ({ id: (await w.freshVCluster("SUSPENDED")).id }) },
  "vcluster.recover": { input: async (w) => ({ id: (await w.freshVCluster("ERROR")).id }) },
  "vcluster.upgradeChart": {
    input: async (w) => ({ id: (await w.freshVCluster()).id, chartVersion: DEFAULT_CHART_VERSION }),
  },
  "vcluster.delete": {
    input: async (w) => {
      const v = await w.freshVCluster();
      return { id: v.id, confirmName: v.name };
    },
  },
  "vcluster.snapshot": { input: (w) => ({ id: w.vcluster.id, name: "walked" }) },
  "vcluster.restore": { input: async (w) => ({ id: (await w.freshVCluster()).id, snapshotId: w.snapshotId }) },
  "vcluster.kubeconfig": { input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.rotateKubeconfig": { input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.directKubeconfig": { input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.kubeAccess": { input: (w) => ({ id: w.vcluster.id }) },
  "vcluster.revokeKubeAccess": {
    // the caller's own token, so an allowed caller has something to revoke
    input: async (w, actor) => ({
      id: w.vcluster.id,
      tokenId: actor
        ? (await w.db.$transaction((tx) => personalKubeToken(tx, actor.userId, w.vcluster.id, TEST_CREDENTIALS_KEY)))
            .view.id
        : "none",
    }),
  },
  "vcluster.watch": { input: (w) => ({ projectId: P(w) }) },

  "snapshot.create": { input: async (w) => ({ vclusterId: (await w.freshVCluster()).id, name: `s-${unique()}` }) },
  "snapshot.list": { input: () => ({}) },
  "snapshot.get": { input: (w) => ({ id: w.snapshotId }) },
  "snapshot.delete": { input: async (w) => ({ id: await w.freshSnapshotId() }) },
  "snapshot.restore": { input: async (w) => ({ vclusterId: (await w.freshVCluster()).id, snapshotId: w.snapshotId }) },
  "snapshot.preview": { input: (w) => ({ vclusterId: w.vcluster.id, snapshotId: w.snapshotId }) },
  "snapshot.clone": { input: (w) => ({ snapshotId: w.snapshotId, name: `clone-${unique()}` }) },
  "snapshot.policy": { input: (w) => ({ vclusterId: w.vcluster.id }) },
  "snapshot.setPolicy": {
    input: async (w) => ({ vclusterId: (await w.freshVCluster()).id, keepLast: 3, schedule: null }),
  },

  "apiToken.create": { input: () => ({ name: "walked", expiresInDays: 1 }) },
  "apiToken.list": { input: () => undefined },
  "apiToken.revoke": {
    input: async (w, caller) => ({
      id: caller
        ? (await createApiToken(w.db, caller, { name: "to revoke", expiresInDays: 1 })).view.id
        : "no-such-token",
    }),
  },

  "user.list": { input: () => undefined },
  "user.revokeSessions": { input: (w) => ({ userId: w.users.VIEWER.id }) },

  "hostCluster.list": { input: () => undefined },
  "hostCluster.register": { input: () => ({ name: `h-${unique()}`, kubeconfig: "apiVersion: v1\nkind: Config\n" }) },
  "hostCluster.setCordoned": { input: (w) => ({ id: w.host.id, cordoned: false }) },

  "audit.list": { input: () => ({}) },
  "audit.verify": { input: () => undefined },

  "notification.list": { input: () => ({}) },
  "notification.unreadCount": { input: () => undefined },
  "notification.markRead": { input: () => ({ ids: ["no-such-notification"] }) },
  "notification.markAllRead": { input: () => undefined },

  "webhook.create": {
    input: (w) => ({ projectId: P(w), url: "https://example.com/walked", events: ["vcluster.failed"] }),
  },
  "webhook.list": { input: (w) => ({ projectId: P(w) }) },
  "webhook.update": { input: (w) => ({ projectId: P(w), id: w.webhookId, active: true }) },
  "webhook.delete": { input: async (w) => ({ projectId: P(w), id: await w.freshWebhookId() }) },
  "webhook.deliveries": { input: (w) => ({ projectId: P(w), webhookId: w.webhookId }) },
  "webhook.test": { input: (w) => ({ projectId: P(w), id: w.webhookId }) },
};

/**
 * The REST-only procedures (server/api/rest/rest-only.ts, published under /api/v1 only), keyed by their name in that
 * router; walked by server/api/rest/rest-only-rbac.test.ts. Byte counts are decimal strings there.
 */
export const REST_ONLY_RULES: Record<string, ProcedureRule> = {
  listProjectVClusters: { input: (w) => ({ projectId: P(w) }) },
  listVClusterSnapshots: { input: (w) => ({ id: w.vcluster.id }) },
  listSnapshots: { input: () => ({}) },
  getSnapshot: { input: (w) => ({ id: w.snapshotId }) },
  getQuota: { input: (w) => ({ projectId: P(w) }) },
  setQuota: {
    input: (w) => ({
      projectId: P(w),
      maxVClusters: 10_000,
      maxCpuMillis: 100_000_000,
      maxMemoryBytes: String(1n << 50n),
      maxStorageBytes: String(1n << 50n),
      maxSnapshots: 100_000,
    }),
  },
  listHostClusters: { input: () => undefined },
  registerHostCluster: {
    input: () => ({
      name: `h-${unique()}`,
      kubeconfig: "apiVersion: v1\nkind: Config\n",
      capacityMemoryBytes: "1073741824",
    }),
  },
  listAudit: { input: () => ({}) },
  verifyAudit: { input: () => undefined },
};
