import type { Tx } from "@/server/db/client";
import type { OperationKind, Prisma } from "@/server/generated/prisma/client";
import { requestOperation, type OperationRequest, type RequestedOperation } from "./operations";

/**
 * A lifecycle request that also changes the desired state (new replicas for a scale, a new spec for an update):
 * the desired state is written only if the transition is allowed, in the same transaction as the operation.
 */
export async function requestChange(
  tx: Tx,
  request: OperationRequest & { kind: Exclude<OperationKind, "CREATE"> },
  desired: Prisma.VClusterUpdateInput = {},
): Promise<RequestedOperation> {
  const requested = await requestOperation(tx, request);
  if (!requested.replayed && Object.keys(desired).length > 0) {
    await tx.vCluster.update({ where: { id: request.vclusterId }, data: desired });
  }
  return requested;
}
