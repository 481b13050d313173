/**
 * What the gateway writes down: an audit row per mutating request (Kubernetes audit's Metadata level: who, which
 * vcluster, verb, resource, namespace, name, response code; refusals included), and each vcluster's last user
 * activity and each token's last use, at a coarse resolution so that busy clusters do not write on every request.
 */
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { writeAudit, type AuditActor, type AuditEvent } from "@/server/services/audit/write-audit";
import type { Grant } from "./grant";
import { describeTarget, type KubeRequestInfo } from "./request-info";

const ACTIVITY_RESOLUTION_MS = 15_000;

export interface RequestOrigin {
  requestId: string;
  sourceIp: string | null;
  userAgent: string | null;
}

export class GatewayRecords {
  private lastActivity = new Map<string, number>();
  private lastTokenUse = new Map<string, number>();
  private pending = new Set<Promise<void>>();

  constructor(private readonly db: Db) {}

  audit(
    grant: Grant | null,
    vclusterId: string,
    info: KubeRequestInfo,
    path: string,
    code: number,
    origin: RequestOrigin,
    message?: string,
  ): void {
    const actor: AuditActor = {
      actorType: grant ? "user" : "token",
      actorId: grant?.userId ?? null,
      actorLabel: grant ? `${grant.email} (kubeconfig ${grant.tokenPrefix})` : "unknown kubeconfig token",
      requestId: origin.requestId,
      sourceIp: origin.sourceIp,
      userAgent: origin.userAgent,
    };
    const result = code < 400 ? "SUCCESS" : code >= 500 ? "FAILURE" : "REFUSED";
    const event: AuditEvent = {
      action: `kube.${info.verb}`,
      targetType: "vcluster",
      targetId: vclusterId,
      targetName: grant?.vcluster.name ?? null,
      projectId: grant?.vcluster.projectId ?? null,
      after: {
        verb: info.verb,
        apiGroup: info.apiGroup,
        resource: info.resource,
        subresource: info.subresource || undefined,
        namespace: info.namespace || undefined,
        name: info.name || undefined,
        object: describeTarget(info, path),
        code,
      },
    };
    this.track(
      this.db.$transaction((tx) =>
        writeAudit(tx, actor, event, {
          result,
          errorCode: result === "SUCCESS" ? null : String(code),
          message: message ?? null,
        }),
      ),
      "gateway: writing an audit row failed",
    );
  }

  /** A person's request (not a watch): the later sleep mode reads this. */
  activity(grant: Grant, now = Date.now()): void {
    if (now - (this.lastActivity.get(grant.vcluster.id) ?? 0) >= ACTIVITY_RESOLUTION_MS) {
      this.lastActivity.set(grant.vcluster.id, now);
      this.track(
        this.db.vCluster
          .updateMany({ where: { id: grant.vcluster.id }, data: { lastActivityAt: new Date(now) } })
          .then(() => undefined),
        "gateway: recording activity failed",
      );
    }
    if (now - (this.lastTokenUse.get(grant.tokenId) ?? 0) >= ACTIVITY_RESOLUTION_MS) {
      this.lastTokenUse.set(grant.tokenId, now);
      this.track(
        this.db.kubeAccessToken
          .updateMany({ where: { id: grant.tokenId }, data: { lastUsedAt: new Date(now) } })
          .then(() => undefined),
        "gateway: recording token use failed",
      );
    }
  }

  /** Waits for the rows still being written (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>, failure: string): void {
    const p = work
      .catch((error: unknown) => logger().error({ err: error }, failure))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
