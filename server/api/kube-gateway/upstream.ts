/**
 * Connections to the virtual APIs, one pooled channel per vcluster: a port-forward through the host to the
 * control plane (nothing is exposed on the host) and a keep-alive TLS agent with the vc-NAME credentials, which
 * only the gateway holds. A channel is opened on first use, with the role bindings applied, and closed when idle
 * or when a connection through it fails.
 */
import https from "node:https";
import tls from "node:tls";
import type { VirtualApiChannel } from "@/server/adapters/vcluster/virtual-api";
import { targetOf } from "@/server/engine/placement/host-spec";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import { AppError } from "@/server/universal/errors";
import { logger } from "@/server/observability/logger";
import { RBAC_OBJECTS } from "./rbac";
import type { Grant } from "./grant";

const IDLE_MS = 120_000;

export interface Upstream {
  channel: VirtualApiChannel;
  agent: https.Agent;
  /** request options that reach the virtual API through the channel */
  options(): https.RequestOptions;
  /** a raw TLS socket to the virtual API, for upgraded requests */
  connect(): tls.TLSSocket;
  /** added to each request: the vc-NAME token when it authenticates by token rather than certificate */
  authorization: string | undefined;
}

interface Entry {
  upstream: Promise<Upstream>;
  idle: NodeJS.Timeout | null;
  users: number;
}

function tlsOf(channel: VirtualApiChannel): tls.ConnectionOptions {
  return {
    host: "127.0.0.1",
    port: channel.port,
    servername: channel.serverName,
    ca: channel.ca,
    cert: channel.cert,
    key: channel.key,
  };
}

function request(upstream: Upstream, method: string, path: string, body: string, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        ...upstream.options(),
        method,
        path,
        headers: {
          "content-type": contentType,
          accept: "application/json",
          ...(upstream.authorization ? { authorization: upstream.authorization } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** Server-side apply keeps the bindings as the portal defines them, whoever edited them inside. */
async function applyRbac(upstream: Upstream, vclusterName: string): Promise<void> {
  for (const object of RBAC_OBJECTS) {
    const code = await request(
      upstream,
      "PATCH",
      `${object.path}?fieldManager=open-vcluster&force=true`,
      JSON.stringify(object.body),
      "application/apply-patch+yaml",
    );
    if (code >= 300)
      throw new AppError(
        "UNAVAILABLE",
        `vcluster ${vclusterName} refused the portal's role bindings (HTTP ${code} for ${object.path})`,
      );
  }
}

export class UpstreamPool {
  private entries = new Map<string, Entry>();

  constructor(private readonly adapters: AdapterProvider) {}

  /** Runs `fn` with the vcluster's upstream; the channel stays open while anyone uses it. */
  async use<T>(grant: Grant, fn: (upstream: Upstream) => Promise<T>): Promise<T> {
    const entry = this.entryFor(grant);
    entry.users++;
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    try {
      return await fn(await entry.upstream);
    } finally {
      entry.users--;
      if (entry.users === 0 && this.entries.get(grant.vcluster.id) === entry)
        entry.idle = setTimeout(() => this.evict(grant.vcluster.id, entry), IDLE_MS);
    }
  }

  /** A connection through the channel failed (pod gone, forward closed): the next request opens a new one. */
  invalidate(vclusterId: string): void {
    const entry = this.entries.get(vclusterId);
    if (entry) this.evict(vclusterId, entry);
  }

  async close(): Promise<void> {
    for (const [id, entry] of [...this.entries]) this.evict(id, entry);
  }

  private entryFor(grant: Grant): Entry {
    const existing = this.entries.get(grant.vcluster.id);
    if (existing) return existing;
    const entry: Entry = { upstream: this.open(grant), idle: null, users: 0 };
    entry.upstream.catch(() => {
      if (this.entries.get(grant.vcluster.id) === entry) this.entries.delete(grant.vcluster.id);
    });
    this.entries.set(grant.vcluster.id, entry);
    return entry;
  }

  private async open(grant: Grant): Promise<Upstream> {
    if (!grant.vcluster.hostClusterId)
      throw new AppError("UNAVAILABLE", `vcluster ${grant.vcluster.name} is not placed on a host`);
    const adapter = await this.adapters.forHost(grant.vcluster.hostClusterId);
    const channel = await adapter.openVirtualApi(targetOf(grant.vcluster));
    const options = tlsOf(channel);
    const agent = new https.Agent({ ...options, keepAlive: true, maxSockets: 64, maxFreeSockets: 8 });
    const upstream: Upstream = {
      channel,
      agent,
      authorization: !channel.cert && channel.token ? `Bearer ${channel.token}` : undefined,
      options: () => ({ ...options, agent }),
      connect: () => tls.connect(options),
    };
    try {
      await applyRbac(upstream, grant.vcluster.name);
    } catch (error) {
      agent.destroy();
      await channel.close();
      throw error instanceof AppError
        ? error
        : new AppError(
            "UNAVAILABLE",
            `vcluster ${grant.vcluster.name}'s API could not be reached through the host: ${error instanceof Error ? error.message : String(error)}`,
          );
    }
    return upstream;
  }

  private evict(id: string, entry: Entry): void {
    if (this.entries.get(id) === entry) this.entries.delete(id);
    if (entry.idle) clearTimeout(entry.idle);
    entry.upstream.then(
      (u) => {
        u.agent.destroy();
        u.channel
          .close()
          .catch((error: unknown) => logger().warn({ err: error, vcluster: id }, "closing a gateway channel failed"));
      },
      () => undefined,
    );
  }
}
