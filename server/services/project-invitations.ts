/**
 * Adding people to a project. A platform admin, who can list every account anyway, adds a member at once. An owner
 * who is not one invites an email instead and always gets the same answer, so adding cannot tell them which emails
 * have accounts or are members already (issue 13 item 9); whoever holds the email accepts or declines.
 */
import type { Actor } from "@/server/auth/actor";
import type { Db, Tx } from "@/server/db/client";
import { AppError, notFound } from "@/server/universal/errors";
import type { Role } from "@/server/generated/prisma/client";
import { audited } from "@/server/services/audit/write-audit";
import type { ServiceContext } from "@/server/services/service-context";

export const INVITATION_TTL_MS = 14 * 24 * 3600 * 1000;
/** pending invitations a project may hold, so an owner cannot fill the table */
export const MAX_PENDING_INVITATIONS = 200;

export type AddMemberResult =
  | { status: "added"; email: string; role: Role; userId: string }
  | { status: "invited"; email: string; role: Role; userId: null };

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface MyInvitationView extends InvitationView {
  projectId: string;
  projectName: string;
}

export function addMember(
  { db, auditActor, actor }: ServiceContext,
  projectId: string,
  { email: rawEmail, role }: { email: string; role: Role },
): Promise<AddMemberResult> {
  const email = rawEmail.trim().toLowerCase();
  return audited<AddMemberResult>(
    db,
    auditActor,
    { action: "project.member_add", targetType: "membership", targetName: email, projectId },
    async (tx) => {
      if (actor.isPlatformAdmin) {
        const userId = await addDirectly(tx, projectId, email, role);
        return {
          value: { status: "added", email, role, userId },
          audit: { targetId: userId, after: { role, status: "added" } },
        };
      }
      await invite(tx, actor.userId, projectId, email, role);
      return { value: { status: "invited", email, role, userId: null }, audit: { after: { role, status: "invited" } } };
    },
  );
}

async function addDirectly(tx: Tx, projectId: string, email: string, role: Role): Promise<string> {
  const user = await tx.user.findUnique({ where: { email }, select: { id: true } });
  if (!user)
    throw new AppError("NOT_FOUND", `email: no user with email ${email}; they must sign in once first`, {
      issues: [{ field: "email", message: "no such user" }],
    });
  const existing = await tx.membership.findUnique({ where: { userId_projectId: { userId: user.id, projectId } } });
  if (existing)
    throw new AppError("CONFLICT", `email: ${email} is already a member (${existing.role})`, {
      issues: [{ field: "email", message: "already a member" }],
    });
  await tx.membership.create({ data: { userId: user.id, projectId, role } });
  await tx.projectInvitation.deleteMany({ where: { projectId, email } });
  return user.id;
}

/** The same statements whatever the email: nothing here looks at users or memberships. */
async function invite(tx: Tx, invitedById: string, projectId: string, email: string, role: Role): Promise<void> {
  const now = new Date();
  const pending = await tx.projectInvitation.count({
    where: { projectId, expiresAt: { gt: now }, email: { not: email } },
  });
  if (pending >= MAX_PENDING_INVITATIONS) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `email: the project already has ${MAX_PENDING_INVITATIONS} pending invitations; cancel some first`,
      {
        issues: [{ field: "email", message: "too many pending invitations" }],
      },
    );
  }
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  await tx.projectInvitation.upsert({
    where: { projectId_email: { projectId, email } },
    create: { projectId, email, role, invitedById, expiresAt },
    update: { role, invitedById, createdAt: now, expiresAt },
  });
}

const VIEW = {
  id: true,
  email: true,
  role: true,
  createdAt: true,
  expiresAt: true,
  invitedBy: { select: { email: true } },
} as const;

export async function listInvitations(db: Db, projectId: string): Promise<InvitationView[]> {
  const rows = await db.projectInvitation.findMany({
    where: { projectId, expiresAt: { gt: new Date() } },
    select: VIEW,
    orderBy: { createdAt: "asc" },
  });
  return rows.map(({ invitedBy, ...row }) => ({ ...row, invitedBy: invitedBy?.email ?? null }));
}

export function cancelInvitation(
  { db, auditActor }: ServiceContext,
  projectId: string,
  invitationId: string,
): Promise<{ id: string }> {
  return audited(
    db,
    auditActor,
    { action: "project.invitation_cancel", targetType: "invitation", targetId: invitationId, projectId },
    async (tx) => {
      const invitation = await tx.projectInvitation.findFirst({ where: { id: invitationId, projectId } });
      if (!invitation) throw notFound("invitation");
      await tx.projectInvitation.delete({ where: { id: invitation.id } });
      return {
        value: { id: invitation.id },
        audit: { targetName: invitation.email, before: { role: invitation.role } },
      };
    },
  );
}

export async function listMyInvitations(db: Db, actor: Actor): Promise<MyInvitationView[]> {
  const rows = await db.projectInvitation.findMany({
    where: { email: actor.email.toLowerCase(), expiresAt: { gt: new Date() } },
    select: { ...VIEW, projectId: true, project: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(({ invitedBy, project, ...row }) => ({
    ...row,
    invitedBy: invitedBy?.email ?? null,
    projectName: project.name,
  }));
}

/**
 * Accepting joins the project in the invitation's role; someone already a member keeps the role they have, so an
 * invitation cannot demote the last owner. Another person's invitation is not found, as if it did not exist.
 */
export function answerInvitation(
  { db, auditActor, actor }: ServiceContext,
  invitationId: string,
  accept: boolean,
): Promise<{ projectId: string; role: Role | null }> {
  const action = accept ? "project.invitation_accept" : "project.invitation_decline";
  return audited<{ projectId: string; role: Role | null }>(
    db,
    auditActor,
    { action, targetType: "invitation", targetId: invitationId },
    async (tx) => {
      const invitation = await tx.projectInvitation.findFirst({
        where: { id: invitationId, email: actor.email.toLowerCase() },
      });
      if (!invitation) throw notFound("invitation");
      if (invitation.expiresAt <= new Date()) {
        throw new AppError(
          "PRECONDITION_FAILED",
          "invitationId: the invitation has expired; ask an owner of the project to invite you again",
          {
            issues: [{ field: "invitationId", message: "expired" }],
          },
        );
      }
      await tx.projectInvitation.delete({ where: { id: invitation.id } });
      const audit = { targetName: invitation.email, projectId: invitation.projectId };
      if (!accept)
        return {
          value: { projectId: invitation.projectId, role: null },
          audit: { ...audit, before: { role: invitation.role } },
        };
      const existing = await tx.membership.findUnique({
        where: { userId_projectId: { userId: actor.userId, projectId: invitation.projectId } },
      });
      if (existing)
        return {
          value: { projectId: invitation.projectId, role: existing.role },
          audit: { ...audit, after: { role: existing.role, kept: true } },
        };
      await tx.membership.create({
        data: { userId: actor.userId, projectId: invitation.projectId, role: invitation.role },
      });
      return {
        value: { projectId: invitation.projectId, role: invitation.role },
        audit: { ...audit, after: { role: invitation.role } },
      };
    },
  );
}
