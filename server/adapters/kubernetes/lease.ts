/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the holder renews
 * `renewTime`; a candidate takes over once the record has not changed for `leaseDurationSeconds` by its own clock
 * (so clock skew between processes does not matter); every write is a compare-and-swap on resourceVersion.
 */
import { V1MicroTime, type V1Lease } from "@kubernetes/client-node";
import type { AppError } from "@/server/universal/errors";
import { isNotFound, kubernetesStatusCode, translateKubernetesError } from "./errors";
import { createHostClients, type HostClients } from "./host-client";

export const DEFAULT_LEASE_NAMESPACE = "open-vcluster-system";

export interface LeaderElectionOptions {
  /** the host cluster's kubeconfig YAML */
  kubeconfig: string;
  /** this process, as written into holderIdentity */
  identity: string;
  /** how the host is named in errors (default: its server's host:port) */
  hostName?: string;
  leaseName?: string;
  /** created if missing (default open-vcluster-system) */
  namespace?: string;
  /** how long a lease lasts without renewal; failover takes at most about this long */
  leaseMs: number;
  /** how often the holder renews and candidates retry (default leaseMs / 3) */
  retryMs?: number;
  requestTimeoutMs?: number;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
  onError?: (error: AppError) => void;
}

export interface LeaderElection {
  isLeader(): boolean;
  /** stops electing; a leader releases the lease (so another takes over at once) and is told it stopped leading */
  stop(): Promise<void>;
}

function time(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  return typeof value === "string" ? Date.parse(value) : Number.NaN;
}

class LeaderElector implements LeaderElection {
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private observed: { holder: string; renewTime: number; at: number } | null = null;
  private lastRenew = 0;
  private running: Promise<void> = Promise.resolve();
  private readonly namespace: string;
  private readonly leaseName: string;
  private readonly retryMs: number;
  private readonly durationSeconds: number;

  constructor(
    private readonly clients: HostClients,
    private readonly options: LeaderElectionOptions,
  ) {
    this.namespace = options.namespace ?? DEFAULT_LEASE_NAMESPACE;
    this.leaseName = options.leaseName ?? "open-vcluster-leader";
    this.retryMs = options.retryMs ?? Math.max(100, Math.floor(options.leaseMs / 3));
    this.durationSeconds = Math.max(1, Math.ceil(options.leaseMs / 1000));
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.round().finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.retryMs);
    });
  }

  private async round(): Promise<void> {
    let won = false;
    try {
      won = await this.tryAcquireOrRenew();
      if (won) this.lastRenew = Date.now();
    } catch (err) {
      this.options.onError?.(
        translateKubernetesError(err, {
          host: this.clients.hostName,
          what: `Lease ${this.namespace}/${this.leaseName}`,
        }),
      );
    }
    if (won && !this.leading && !this.stopped) {
      this.leading = true;
      await this.notify(this.options.onStartedLeading);
    } else if (
      !won &&
      this.leading &&
      (this.lostTheLease() || Date.now() - this.lastRenew > this.options.leaseMs * 0.8)
    ) {
      // stop acting before anyone else may legitimately take over
      this.leading = false;
      await this.notify(this.options.onStoppedLeading);
    }
  }

  private lostTheLease(): boolean {
    return this.observed !== null && this.observed.holder !== this.options.identity;
  }

  private async notify(callback: () => void | Promise<void>): Promise<void> {
    try {
      await callback();
    } catch (err) {
      this.options.onError?.(
        translateKubernetesError(err, { host: this.clients.hostName, what: "a leader-election callback" }),
      );
    }
  }

  private record(holder: string, acquireTime: Date, transitions: number, duration = this.durationSeconds): V1Lease {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.leaseName, namespace: this.namespace },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: duration,
        acquireTime: new V1MicroTime(acquireTime.getTime()),
        renewTime: new V1MicroTime(Date.now()),
        leaseTransitions: transitions,
      },
    };
  }

  private async readLease(): Promise<V1Lease | null> {
    try {
      return await this.clients.coordination.readNamespacedLease({ namespace: this.namespace, name: this.leaseName });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async ensureNamespace(): Promise<void> {
    try {
      await this.clients.core.createNamespace({
        body: { metadata: { name: this.namespace, labels: { "open-vcluster.io/managed": "true" } } },
      });
    } catch (err) {
      if (kubernetesStatusCode(err) !== 409) throw err;
    }
  }

  /** true when this process holds the lease after the attempt */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const identity = this.options.identity;
    let lease = await this.readLease();
    if (!lease) {
      try {
        await this.create();
        this.observed = { holder: identity, renewTime: Date.now(), at: Date.now() };
        return true;
      } catch (err) {
        if (kubernetesStatusCode(err) === 409) return false;
        if (!isNotFound(err)) throw err;
        await this.ensureNamespace();
        lease = await this.readLease();
        if (lease) return false;
        await this.create();
        this.observed = { holder: identity, renewTime: Date.now(), at: Date.now() };
        return true;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const renewTime = time(spec.renewTime);
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: Date.now() };
    }
    const durationMs = (spec.leaseDurationSeconds ?? this.durationSeconds) * 1000;
    const heldByOther = holder !== "" && holder !== identity;
    if (heldByOther && this.observed.at + durationMs > Date.now()) return false;
    const acquireTime = holder === identity && spec.acquireTime ? new Date(time(spec.acquireTime)) : new Date();
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const next = this.record(identity, acquireTime, transitions);
    next.metadata = { ...next.metadata, resourceVersion: lease.metadata?.resourceVersion };
    try {
      await this.clients.coordination.replaceNamespacedLease({
        namespace: this.namespace,
        name: this.leaseName,
        body: next,
      });
    } catch (err) {
      if (kubernetesStatusCode(err) === 409) return false;
      throw err;
    }
    this.observed = { holder: identity, renewTime: time(next.spec?.renewTime), at: Date.now() };
    return true;
  }

  private create(): Promise<V1Lease> {
    return this.clients.coordination.createNamespacedLease({
      namespace: this.namespace,
      body: this.record(this.options.identity, new Date(), 0),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.readLease();
      if (lease?.spec?.holderIdentity === this.options.identity) {
        const released = this.record("", new Date(), lease.spec.leaseTransitions ?? 0, 1);
        released.metadata = { ...released.metadata, resourceVersion: lease.metadata?.resourceVersion };
        await this.clients.coordination.replaceNamespacedLease({
          namespace: this.namespace,
          name: this.leaseName,
          body: released,
        });
      }
    } catch (err) {
      this.options.onError?.(
        translateKubernetesError(err, {
          host: this.clients.hostName,
          what: `release of Lease ${this.namespace}/${this.leaseName}`,
        }),
      );
    }
    await this.notify(this.options.onStoppedLeading);
  }
}

/** Campaigns for the lease until stopped, calling back when this process starts or stops leading. */
export function runLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const clients = createHostClients(options.kubeconfig, {
    hostName: options.hostName,
    requestTimeoutMs: options.requestTimeoutMs ?? Math.max(1_000, Math.floor(options.leaseMs / 3)),
  });
  const elector = new LeaderElector(clients, options);
  elector.start();
  return elector;
}
