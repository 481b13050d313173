/**
 * Keeps each vcluster's status true to its host, including changes made behind the portal's back. Level-based:
 * a watch event only says "look again"; the reconciler reads the host's current state and writes what it sees.
 * One reconciler per host is active at a time, chosen by a Lease on that host, with failover.
 */
import { runLeaderElection } from "@/server/adapters/kubernetes/lease";
import { watchControlPlanes } from "@/server/adapters/vcluster/watch-control-planes";
import type { Db } from "@/server/db/client";
import type { Prisma } from "@/server/generated/prisma/client";
import { backoffMs } from "@/server/backoff";
import { logger } from "@/server/observability/logger";
import { unseal } from "@/server/security/seal";
import { announceVClusterChange } from "./change-events";
import { parseConditions, setCondition } from "@/server/universal/conditions";
import { observeDrift } from "./drift";
import { targetOf } from "@/server/engine/placement/host-spec";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";

export interface ReconcilerOptions {
  db: Db;
  adapters: AdapterProvider;
  credentialsKey: string;
  /** this process's identity in the leader election */
  workerId: string;
  hostRefreshMs?: number;
  leaseMs?: number;
  debounceMs?: number;
  /** how often every vcluster of a led host is read again although no event came (default 5 min) */
  resyncMs?: number;
  /** the first wait before a failed reconcile is tried again; it doubles per failure up to 60 s (default 1 s) */
  requeueBaseMs?: number;
}

const REQUEUE_CAP_MS = 60_000;

interface Stoppable {
  stop(): Promise<void> | void;
}

/** Reads one vcluster's host state into the database, unless an operation is changing it right now. */
export async function reconcileVCluster(
  db: Db,
  adapters: AdapterProvider,
  hostClusterId: string,
  namespace: string,
): Promise<void> {
  const vcluster = await db.vCluster.findFirst({ where: { hostClusterId, namespace } });
  if (!vcluster) return;
  const busy = await db.operation.count({ where: { vclusterId: vcluster.id, state: { in: ["QUEUED", "RUNNING"] } } });
  if (busy > 0 || !["RUNNING", "SUSPENDED", "ERROR"].includes(vcluster.phase)) return;
  const status = await (await adapters.forHost(hostClusterId)).status(targetOf(vcluster));
  let conditions = parseConditions(vcluster.conditions);
  for (const c of status.conditions) conditions = setCondition(conditions, c);
  const drift = observeDrift(vcluster.phase, vcluster.replicas, status);
  if (drift) conditions = setCondition(conditions, drift);
  // Only if nothing started meanwhile: an operation requested since the read owns the status now.
  const { count } = await db.vCluster.updateMany({
    where: { id: vcluster.id, phase: vcluster.phase, updatedAt: vcluster.updatedAt },
    data: {
      readyReplicas: status.readyReplicas,
      apiServerEndpoint: status.apiServerEndpoint ?? vcluster.apiServerEndpoint,
      conditions: conditions as unknown as Prisma.InputJsonValue,
      statusObservedAt: new Date(),
    },
  });
  if (count > 0) await announceVClusterChange(db, vcluster.id, vcluster.projectId);
}

function startHostReconciler(
  options: ReconcilerOptions,
  host: { id: string; name: string; kubeconfig: string },
): Stoppable {
  const log = logger().child({ host: host.name, reconciler: options.workerId });
  const pending = new Map<string, NodeJS.Timeout>();
  let watch: Stoppable | null = null;

  const failures = new Map<string, number>();
  let resync: NodeJS.Timeout | null = null;
  let leading = false;

  // As controller-runtime requeues a failed Reconcile with backoff: a failure is retried by itself, not only on
  // the next event, which may never come for a host that is quiet.
  // One reconcile of a vcluster at a time, as controller-runtime's work queue keeps one in flight per key: a
  // request that comes while one runs marks the key, and it runs once more when that one ends.
  const running = new Set<string>();
  const dirty = new Set<string>();
  const schedule = (namespace: string, delayMs = options.debounceMs ?? 100) => {
    clearTimeout(pending.get(namespace));
    pending.set(
      namespace,
      setTimeout(() => {
        pending.delete(namespace);
        if (running.has(namespace)) {
          dirty.add(namespace);
          return;
        }
        running.add(namespace);
        reconcileVCluster(options.db, options.adapters, host.id, namespace)
          .then(
            () => failures.delete(namespace),
            (error: unknown) => {
              const failed = (failures.get(namespace) ?? 0) + 1;
              failures.set(namespace, failed);
              const retryInMs = backoffMs(failed, options.requeueBaseMs ?? 1_000, REQUEUE_CAP_MS);
              log.warn({ err: error, namespace, retryInMs }, "reconcile failed; trying again");
              if (leading) schedule(namespace, retryInMs);
            },
          )
          .finally(() => {
            running.delete(namespace);
            if (dirty.delete(namespace) && leading && !pending.has(namespace)) schedule(namespace);
          });
      }, delayMs),
    );
  };
  const scheduleAll = async () => {
    const vclusters = await options.db.vCluster.findMany({
      where: { hostClusterId: host.id },
      select: { namespace: true },
    });
    for (const v of vclusters) if (!pending.has(v.namespace)) schedule(v.namespace);
  };
  const election = runLeaderElection({
    kubeconfig: host.kubeconfig,
    identity: options.workerId,
    leaseName: "open-vcluster-reconciler",
    leaseMs: options.leaseMs ?? 15_000,
    onStartedLeading: async () => {
      log.info("reconciling this host");
      leading = true;
      await scheduleAll();
      watch = watchControlPlanes({ kubeconfig: host.kubeconfig, onChange: (event) => schedule(event.namespace) });
      // the periodic resync of a level-based controller: what no event reported is still found
      resync = setInterval(
        () =>
          void scheduleAll().catch((error: unknown) =>
            log.warn({ err: error }, "resync failed; the next one tries again"),
          ),
        options.resyncMs ?? 300_000,
      );
    },
    onStoppedLeading: async () => {
      log.info("no longer reconciling this host");
      leading = false;
      if (resync) clearInterval(resync);
      resync = null;
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      await watch?.stop();
      watch = null;
    },
  });

  return {
    async stop() {
      leading = false;
      if (resync) clearInterval(resync);
      for (const timer of pending.values()) clearTimeout(timer);
      await election.stop();
      await watch?.stop();
    },
  };
}

/** One reconciler per registered host, following registrations as admins add and remove hosts. */
export function startReconcilers(options: ReconcilerOptions): Stoppable {
  const running = new Map<string, { credentials: string; reconciler: Stoppable }>();
  let stopped = false;

  const refresh = async () => {
    const hosts = await options.db.hostCluster.findMany({
      select: { id: true, name: true, credentialsEncrypted: true },
    });
    for (const [id, entry] of running) {
      const host = hosts.find((h) => h.id === id);
      if (!host || host.credentialsEncrypted !== entry.credentials) {
        await entry.reconciler.stop();
        running.delete(id);
      }
    }
    for (const host of hosts) {
      if (stopped || running.has(host.id)) continue;
      const kubeconfig = unseal(host.credentialsEncrypted, options.credentialsKey);
      running.set(host.id, {
        credentials: host.credentialsEncrypted,
        reconciler: startHostReconciler(options, { id: host.id, name: host.name, kubeconfig }),
      });
    }
  };
  const tick = () =>
    refresh().catch((error: unknown) => logger().error({ err: error }, "reconciler: refreshing hosts failed"));
  void tick();
  const timer = setInterval(tick, options.hostRefreshMs ?? 30_000);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...running.values()].map((entry) => entry.reconciler.stop()));
      running.clear();
    },
  };
}
