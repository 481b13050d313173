import { z } from "zod";
import { listProjectsForActor } from "@/server/services/projects";
import { createProject, listMembers, removeMember, setMemberRole } from "@/server/services/project-members";
import { addMember, cancelInvitation, listInvitations } from "@/server/services/project-invitations";
import { getQuota, setQuota } from "@/server/services/quota";
import { createTRPCRouter, mutation, query } from "../trpc";
import { roleSchema } from "../schemas";

const projectSummarySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: roleSchema,
  vclusterCount: z.number().int(),
});
export const usageSchema = z.object({
  vclusters: z.number().int(),
  cpuMillis: z.number().int(),
  memoryBytes: z.bigint(),
  storageBytes: z.bigint(),
  snapshots: z.number().int(),
});
export const limitsSchema = z.object({
  maxVClusters: z.number().int().min(0, "maxVClusters may not be negative").max(10_000),
  maxCpuMillis: z.number().int().min(0, "maxCpuMillis may not be negative"),
  maxMemoryBytes: z.bigint().min(0n, "maxMemoryBytes may not be negative"),
  maxStorageBytes: z.bigint().min(0n, "maxStorageBytes may not be negative"),
  maxSnapshots: z.number().int().min(0, "maxSnapshots may not be negative").max(100_000),
});
export const quotaViewSchema = z.object({ limits: limitsSchema.nullable(), usage: usageSchema });
const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  since: z.date(),
});
export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  invitedBy: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});

export const projectRouter = createTRPCRouter({
  list: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/projects",
      operationId: "listProjects",
      summary: "List your projects",
      tags: ["projects"],
    },
  })
    .output(z.array(projectSummarySchema))
    .query(({ ctx }) => listProjectsForActor(ctx.db, ctx.actor)),
  myRole: query({
    scope: { project: "VIEWER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/role",
      operationId: "getMyProjectRole",
      summary: "Your role in a project",
      tags: ["projects"],
    },
  })
    .output(z.object({ projectId: z.string(), role: roleSchema }))
    .query(({ ctx }) => ({ projectId: ctx.project.id, role: ctx.project.role })),
  create: mutation({
    scope: "platform",
    audit: { action: "project.create", targetType: "project" },
    openapi: {
      method: "POST",
      path: "/projects",
      operationId: "createProject",
      summary: "Create a project owned by you (platform admins)",
      tags: ["projects"],
    },
  })
    .input(
      z.object({
        slug: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, "slug must be a DNS label of at most 40 characters"),
        name: z.string().trim().min(1, "name is required").max(100, "name may be at most 100 characters"),
        description: z.string().max(1000).optional(),
      }),
    )
    .output(z.object({ id: z.string(), slug: z.string(), name: z.string() }))
    .mutation(({ ctx, input }) => createProject(ctx.service, input)),
  members: query({
    scope: { project: "VIEWER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/members",
      operationId: "listMembers",
      summary: "List a project's members",
      tags: ["projects"],
    },
  })
    .output(z.array(memberSchema))
    .query(({ ctx }) => listMembers(ctx.db, ctx.project.id)),
  addMember: mutation({
    scope: { project: "OWNER" },
    audit: { action: "project.member_add", targetType: "membership" },
    openapi: {
      method: "POST",
      path: "/projects/{projectId}/members",
      operationId: "addMember",
      summary: "Add a member by email (platform admins), or invite the email to join (owners)",
      tags: ["projects"],
    },
  })
    .input(
      z.object({
        email: z
          .string()
          .trim()
          .email("email must be an email address")
          .max(254, "email may be at most 254 characters"),
        role: roleSchema,
      }),
    )
    .output(
      z.object({
        status: z.enum(["added", "invited"]),
        email: z.string(),
        role: roleSchema,
        userId: z.string().nullable(),
      }),
    )
    .mutation(({ ctx, input }) => addMember(ctx.service, ctx.project.id, input)),
  invitations: query({
    scope: { project: "OWNER" },
    openapi: {
      method: "GET",
      path: "/projects/{projectId}/invitations",
      operationId: "listInvitations",
      summary: "A project's pending invitations",
      tags: ["projects"],
    },
  })
    .output(z.array(invitationSchema))
    .query(({ ctx }) => listInvitations(ctx.db, ctx.project.id)),
  cancelInvitation: mutation({
    scope: { project: "OWNER" },
    audit: { action: "project.invitation_cancel", targetType: "invitation" },
    openapi: {
      method: "DELETE",
      path: "/projects/{projectId}/invitations/{invitationId}",
      operationId: "cancelInvitation",
      summary: "Withdraw a pending invitation",
      tags: ["projects"],
    },
  })
    .input(z.object({ invitationId: z.string().min(1, "invitationId is required") }))
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => cancelInvitation(ctx.service, ctx.project.id, input.invitationId)),
  setRole: mutation({
    scope: { project: "OWNER" },
    audit: { action: "project.member_role", targetType: "membership" },
    openapi: {
      method: "PATCH",
      path: "/projects/{projectId}/members/{userId}",
      operationId: "setMemberRole",
      summary: "Change a member's role",
      tags: ["projects"],
    },
  })
    .input(z.object({ userId: z.string().min(1), role: roleSchema }))
    .output(z.object({ userId: z.string(), role: roleSchema }))
    .mutation(({ ctx, input }) => setMemberRole(ctx.service, ctx.project.id, input)),
  removeMember: mutation({
    scope: { project: "OWNER" },
    audit: { action: "project.member_remove", targetType: "membership" },
    openapi: {
      method: "DELETE",
      path: "/projects/{projectId}/members/{userId}",
      operationId: "removeMember",
      summary: "Remove a member from a project",
      tags: ["projects"],
    },
  })
    .input(z.object({ userId: z.string().min(1) }))
    .output(z.object({ userId: z.string() }))
    .mutation(({ ctx, input }) => removeMember(ctx.service, ctx.project.id, input.userId)),
  quota: query({ scope: { project: "VIEWER" } })
    .output(quotaViewSchema)
    .query(({ ctx }) => getQuota(ctx.db, ctx.project.id)),
  setQuota: mutation({ scope: { project: "OWNER" }, audit: { action: "quota.set", targetType: "quota" } })
    .input(limitsSchema)
    .output(quotaViewSchema)
    .mutation(({ ctx, input: { projectId: _projectId, ...limits } }) => setQuota(ctx.service, ctx.project.id, limits)),
});
