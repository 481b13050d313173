/**
 * REST operations whose tRPC counterparts cannot be published as they are. `vcluster.list` takes `phases` as an array
 * (not a query parameter) and its project is optional (not a path segment); `audit.list` nests its filter (not query
 * parameters); and byte counts and audit sequence numbers are bigints, which JSON cannot carry. Here they are decimal
 * strings, in and out. Same command declarations (so the same authorization, audit and rate limits), same services, same
 * zod rules; only the shape at the edge differs.
 */
import { z } from "zod";
import { probeHostCluster } from "@/server/adapters/vcluster/kubernetes-vcluster-adapter";
import { env } from "@/server/env";
import { auditFilterSchema } from "@/server/services/audit/audit-filter";
import { listAudit } from "@/server/services/audit/list-audit";
import { verifyAuditChain } from "@/server/services/audit/verify-audit";
import { listHostClusters, registerHostCluster } from "@/server/services/host-clusters";
import { getQuota, setQuota, type QuotaView } from "@/server/services/quota";
import { getSnapshot, listSnapshots } from "@/server/services/snapshots/snapshots";
import { listVClusters } from "@/server/services/vclusters/list-vclusters";
import { phaseSchema } from "../schemas";
import { anchorStatusSchema, auditEntrySchema } from "../routers/audit";
import { hostViewSchema, registerHostInputSchema } from "../routers/host-cluster";
import { limitsSchema, quotaViewSchema, usageSchema } from "../routers/project";
import { snapshotViewSchema } from "../routers/snapshot-schemas";
import { idInput, listInputSchema } from "../routers/vcluster-schemas";
import { rowSchema } from "@/server/universal/vcluster-view";
import { createTRPCRouter, mutation, query } from "../trpc";

const limit = z.number().int().min(1, "limit must be at least 1").max(200, "limit may be at most 200").default(50);
const id = z.string().min(1, "id is required").max(64);

/** A bigint in JSON output: a decimal string (it may exceed 2^53). */
const decimal = (what: string) =>
  z
    .string()
    .regex(/^-?\d+$/)
    .describe(`${what}, as a decimal string (it may exceed 2^53)`);
const bytes = decimal("bytes");

/**
 * A bigint in JSON input: a decimal string, checked by the tRPC procedure's own rule for the field once converted.
 * The pattern error names the field, as every input error does.
 */
function decimalInput(field: string, rule: z.ZodType<bigint, bigint>) {
  return z
    .string()
    .regex(/^\d{1,30}$/, `${field} must be a decimal string of digits, e.g. "17179869184"`)
    .transform((digits) => BigInt(digits))
    .pipe(rule)
    .describe(`${field} in bytes, as a decimal string (it may exceed 2^53)`);
}

export const restSnapshotSchema = snapshotViewSchema.extend({ sizeBytes: bytes.nullable() });
const restSnapshot = <S extends { sizeBytes: bigint | null }>(s: S) => ({
  ...s,
  sizeBytes: s.sizeBytes === null ? null : s.sizeBytes.toString(),
});

const restQuotaSchema = quotaViewSchema.extend({
  limits: limitsSchema.extend({ maxMemoryBytes: bytes, maxStorageBytes: bytes }).nullable(),
  usage: usageSchema.extend({ memoryBytes: bytes, storageBytes: bytes }),
});
const restQuota = ({ limits, usage }: QuotaView) => ({
  limits: limits && {
    ...limits,
    maxMemoryBytes: limits.maxMemoryBytes.toString(),
    maxStorageBytes: limits.maxStorageBytes.toString(),
  },
  usage: { ...usage, memoryBytes: usage.memoryBytes.toString(), storageBytes: usage.storageBytes.toString() },
});
const restLimitsInput = limitsSchema.extend({
  maxMemoryBytes: decimalInput("maxMemoryBytes", limitsSchema.shape.maxMemoryBytes),
  maxStorageBytes: decimalInput("maxStorageBytes", limitsSchema.shape.maxStorageBytes),
});

const restHostSchema = hostViewSchema.extend({ capacityMemoryBytes: bytes, reservedMemoryBytes: bytes });
const restRegisterHostInput = registerHostInputSchema.extend({
  capacityMemoryBytes: decimalInput(
    "capacityMemoryBytes",
    registerHostInputSchema.shape.capacityMemoryBytes.unwrap(),
  ).optional(),
});

const restAuditEntrySchema = auditEntrySchema.extend({ seq: decimal("the entry's position in the hash chain") });
const restAuditVerificationSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  brokenCount: z.number().int(),
  firstBroken: z
    .object({
      id: z.string(),
      seq: decimal("sequence number"),
      problem: z.enum(["hash", "prevHash", "version"]),
      expected: z.string(),
      actual: z.string(),
    })
    .nullable(),
  lastSeq: decimal("sequence number").nullable(),
  anchor: z.object({ status: anchorStatusSchema, seq: decimal("sequence number").nullable(), at: z.date().nullable() }),
});

export const restOnlyRouter = createTRPCRouter({
  listProjectVClusters: query({
    scope: { project: "VIEWER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/vclusters",
      operationId: "listVClusters",
      summary: "List a project's vclusters",
      tags: ["vclusters"],
    },
  })
    .input(
      z.object({
        phase: phaseSchema.optional(),
        search: listInputSchema.shape.search,
        sort: listInputSchema.shape.sort,
        order: listInputSchema.shape.order,
        limit,
        cursor: listInputSchema.shape.cursor,
      }),
    )
    .output(z.object({ items: z.array(rowSchema), nextCursor: z.string().nullable(), total: z.number().int() }))
    .query(({ ctx, input: { phase, ...rest } }) =>
      listVClusters(ctx.db, ctx.actor, { ...rest, phases: phase ? [phase] : undefined }),
    ),
  listVClusterSnapshots: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/vclusters/{id}/snapshots",
      operationId: "listSnapshots",
      summary: "List a vcluster's snapshots",
      tags: ["snapshots"],
    },
  })
    .input(idInput.extend({ limit }))
    .output(z.array(restSnapshotSchema))
    .query(async ({ ctx, input }) =>
      (await listSnapshots(ctx.service, { vclusterId: input.id, limit: input.limit })).map(restSnapshot),
    ),
  listSnapshots: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/snapshots",
      operationId: "listAllSnapshots",
      summary: "List the snapshots you can see, optionally of one project",
      tags: ["snapshots"],
    },
  })
    .input(z.object({ projectId: id.optional(), limit }))
    .output(z.array(restSnapshotSchema))
    .query(async ({ ctx, input }) => (await listSnapshots(ctx.service, input)).map(restSnapshot)),
  getSnapshot: query({
    scope: { snapshot: "VIEWER", key: "id" },
    openapi: {
      method: "GET",
      path: "/snapshots/{id}",
      operationId: "getSnapshot",
      summary: "Get a snapshot",
      tags: ["snapshots"],
    },
  })
    .input(z.object({ id }))
    .output(restSnapshotSchema)
    .query(async ({ ctx, input }) => restSnapshot(await getSnapshot(ctx.service, input.id))),
  getQuota: query({
    scope: { project: "VIEWER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/quota",
      operationId: "getQuota",
      summary: "A project's quota limits and usage",
      tags: ["projects"],
    },
  })
    .output(restQuotaSchema)
    .query(async ({ ctx }) => restQuota(await getQuota(ctx.db, ctx.project.id))),
  setQuota: mutation({
    scope: { project: "OWNER" },
    audit: { action: "quota.set", targetType: "quota" },
    openapi: {
      method: "PUT",
      path: "/projects/{projectId}/quota",
      operationId: "setQuota",
      summary: "Set a project's quota limits (byte counts as decimal strings)",
      tags: ["projects"],
    },
  })
    .input(restLimitsInput)
    .output(restQuotaSchema)
    .mutation(async ({ ctx, input: { projectId: _projectId, ...limits } }) =>
      restQuota(await setQuota(ctx.service, ctx.project.id, limits)),
    ),
  listHostClusters: query({
    scope: "platform",
    openapi: {
      method: "GET",
      path: "/host-clusters",
      operationId: "listHostClusters",
      summary: "List host clusters with capacity and reservations (platform admins)",
      tags: ["hostClusters"],
    },
  })
    .output(z.array(restHostSchema))
    .query(async ({ ctx }) =>
      (await listHostClusters(ctx.db)).map((h) => ({
        ...h,
        capacityMemoryBytes: h.capacityMemoryBytes.toString(),
        reservedMemoryBytes: h.reservedMemoryBytes.toString(),
      })),
    ),
  registerHostCluster: mutation({
    scope: "platform",
    audit: { action: "host.register", targetType: "hostCluster" },
    openapi: {
      method: "POST",
      path: "/host-clusters",
      operationId: "registerHostCluster",
      summary: "Register (or re-register) a host cluster by kubeconfig (platform admins)",
      tags: ["hostClusters"],
    },
  })
    .input(restRegisterHostInput)
    .output(z.object({ id: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const host = await registerHostCluster(ctx.db, env().HOST_CREDENTIALS_KEY, input, (kubeconfig) =>
        probeHostCluster(kubeconfig),
      );
      return { id: host.id, name: host.name };
    }),
  listAudit: query({
    scope: "platform",
    openapi: {
      method: "GET",
      path: "/audit",
      operationId: "listAudit",
      summary: "The audit log, newest first, filtered (platform admins)",
      tags: ["audit"],
    },
  })
    .input(auditFilterSchema.safeExtend({ cursor: z.string().max(20).optional(), limit }))
    .output(z.object({ items: z.array(restAuditEntrySchema), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input: { cursor, limit: size, ...filter } }) => {
      const page = await listAudit(ctx.db, filter, { cursor, limit: size });
      return { ...page, items: page.items.map((entry) => ({ ...entry, seq: entry.seq.toString() })) };
    }),
  verifyAudit: query({
    scope: "platform",
    openapi: {
      method: "GET",
      path: "/audit/verify",
      operationId: "verifyAudit",
      summary: "Check the audit log's hash chain (platform admins)",
      tags: ["audit"],
    },
  })
    .output(restAuditVerificationSchema)
    .query(async ({ ctx }) => {
      const result = await verifyAuditChain(ctx.db, { anchorStore: ctx.deps.objectStore });
      return {
        ...result,
        anchor: { ...result.anchor, seq: result.anchor.seq === null ? null : result.anchor.seq.toString() },
        firstBroken: result.firstBroken && { ...result.firstBroken, seq: result.firstBroken.seq.toString() },
        lastSeq: result.lastSeq === null ? null : result.lastSeq.toString(),
      };
    }),
});
