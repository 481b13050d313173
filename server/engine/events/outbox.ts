/**
 * What the engine tells the rest of the portal, without knowing who listens: a domain event written to the outbox
 * in the transaction of the change it describes, so it exists exactly when the change does. The services consume
 * the outbox (server/services/notify/outbox-consumer.ts); the engine imports none of them.
 */
import type { Tx } from "@/server/db/client";
import type { Prisma } from "@/server/generated/prisma/client";

/** A vcluster reached a phase, or failed in one. */
export interface VClusterEvent {
  kind: "phase_changed" | "failed";
  vclusterId: string;
  vclusterName: string;
  projectId: string;
  ownerId: string;
  phase: string;
  message?: string | null;
}

export type DomainEvent = { kind: "vcluster.phase_changed" | "vcluster.failed"; payload: VClusterEvent };

export async function publish(tx: Tx, event: VClusterEvent): Promise<void> {
  const domain: DomainEvent = { kind: `vcluster.${event.kind}`, payload: event };
  await tx.outboxEvent.create({
    data: { kind: domain.kind, payload: domain.payload as unknown as Prisma.InputJsonValue },
  });
}
