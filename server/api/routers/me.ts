import { z } from "zod";
import { getMe } from "@/server/services/users";
import { answerInvitation, listMyInvitations } from "@/server/services/project-invitations";
import { createTRPCRouter, mutation, query } from "../trpc";
import { roleSchema } from "../schemas";

const meSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  isPlatformAdmin: z.boolean(),
  viaToken: z.boolean(),
  memberships: z.array(z.object({ projectId: z.string(), projectName: z.string(), role: roleSchema })),
});

const myInvitationSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  email: z.string(),
  role: roleSchema,
  invitedBy: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});
const answerInput = z.object({ invitationId: z.string().min(1, "invitationId is required") });
const answerOutput = z.object({ projectId: z.string(), role: roleSchema.nullable() });

export const meRouter = createTRPCRouter({
  get: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/me",
      operationId: "getMe",
      summary: "Who the token belongs to",
      tags: ["projects"],
    },
  })
    .output(meSchema)
    .query(({ ctx }) => getMe(ctx.db, ctx.actor)),
  invitations: query({
    scope: "self",
    openapi: {
      method: "GET",
      path: "/me/invitations",
      operationId: "listMyInvitations",
      summary: "Invitations to projects waiting for your answer",
      tags: ["projects"],
    },
  })
    .output(z.array(myInvitationSchema))
    .query(({ ctx }) => listMyInvitations(ctx.db, ctx.actor)),
  acceptInvitation: mutation({
    scope: "self",
    audit: { action: "project.invitation_accept", targetType: "invitation" },
    openapi: {
      method: "POST",
      path: "/me/invitations/{invitationId}/accept",
      operationId: "acceptInvitation",
      summary: "Join a project you were invited to",
      tags: ["projects"],
    },
  })
    .input(answerInput)
    .output(answerOutput)
    .mutation(({ ctx, input }) => answerInvitation(ctx.service, input.invitationId, true)),
  declineInvitation: mutation({
    scope: "self",
    audit: { action: "project.invitation_decline", targetType: "invitation" },
    openapi: {
      method: "POST",
      path: "/me/invitations/{invitationId}/decline",
      operationId: "declineInvitation",
      summary: "Decline an invitation to a project",
      tags: ["projects"],
    },
  })
    .input(answerInput)
    .output(answerOutput)
    .mutation(({ ctx, input }) => answerInvitation(ctx.service, input.invitationId, false)),
});
