import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/server/testing/caller";
import { codeOf } from "@/server/testing/trpc-code";
import { actorOf, createProject, createUser } from "@/server/testing/factories";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-database";
import { MAX_PENDING_INVITATIONS } from "./project-invitations";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

async function ownedProject() {
  const owner = await createUser(t.db);
  const project = await createProject(t.db, [{ userId: owner.id, role: "OWNER" }]);
  return { owner, project, asOwner: callerFor(t.db, actorOf(owner)) };
}

const lastAudit = (projectId: string, action: string) =>
  t.db.auditLog.findFirstOrThrow({
    where: { projectId, action },
    orderBy: { seq: "desc" },
    select: { result: true, targetId: true, targetName: true, after: true, errorCode: true },
  });

describe("adding members without an email oracle", () => {
  it("gives an owner the same answer and the same audit row for an account, a member, themselves and an unknown email", async () => {
    const { owner, project, asOwner } = await ownedProject();
    const existing = await createUser(t.db);
    const member = await createUser(t.db);
    await t.db.membership.create({ data: { userId: member.id, projectId: project.id, role: "MEMBER" } });
    const emails = [existing.email, member.email, owner.email, "no-account-yet@example.com"];
    const seen: unknown[] = [];
    for (const email of emails) {
      const answer = await asOwner.project.addMember({ projectId: project.id, email, role: "VIEWER" });
      const audit = await lastAudit(project.id, "project.member_add");
      seen.push({ answer: { ...answer, email: "…" }, audit: { ...audit, targetName: "…" } });
      expect(answer.email).toBe(email);
      expect(audit.targetName).toBe(email);
    }
    expect(seen.every((s) => JSON.stringify(s) === JSON.stringify(seen[0]))).toBe(true);
    expect(seen[0]).toEqual({
      answer: { status: "invited", email: "…", role: "VIEWER", userId: null },
      audit: {
        result: "SUCCESS",
        targetId: null,
        targetName: "…",
        after: { role: "VIEWER", status: "invited" },
        errorCode: null,
      },
    });
    // nobody joined, nobody's role changed
    expect(
      await t.db.membership.findMany({
        where: { projectId: project.id },
        select: { userId: true, role: true },
        orderBy: { role: "asc" },
      }),
    ).toEqual(
      expect.arrayContaining([
        { userId: owner.id, role: "OWNER" },
        { userId: member.id, role: "MEMBER" },
      ]),
    );
    expect(await t.db.membership.count({ where: { projectId: project.id } })).toBe(2);
    expect((await asOwner.project.invitations({ projectId: project.id })).map((i) => i.email).sort()).toEqual(
      [...emails].sort(),
    );
  });

  it("lets the holder of the email accept once, in the invited role; a second invitation replaces the first", async () => {
    const { project, asOwner, owner } = await ownedProject();
    const invitee = await createUser(t.db);
    await asOwner.project.addMember({ projectId: project.id, email: invitee.email, role: "VIEWER" });
    await asOwner.project.addMember({
      projectId: project.id,
      email: ` ${invitee.email.toUpperCase()} `,
      role: "MEMBER",
    });
    const asInvitee = callerFor(t.db, actorOf(invitee));
    const mine = await asInvitee.me.invitations();
    expect(mine).toEqual([
      expect.objectContaining({
        projectId: project.id,
        projectName: project.name,
        role: "MEMBER",
        invitedBy: owner.email,
      }),
    ]);
    expect(await asInvitee.me.acceptInvitation({ invitationId: mine[0].id })).toEqual({
      projectId: project.id,
      role: "MEMBER",
    });
    expect(
      await t.db.membership.findUnique({ where: { userId_projectId: { userId: invitee.id, projectId: project.id } } }),
    ).toMatchObject({ role: "MEMBER" });
    expect(await asInvitee.me.invitations()).toEqual([]);
    expect(await codeOf(asInvitee.me.acceptInvitation({ invitationId: mine[0].id }))).toBe("NOT_FOUND");
    expect(await lastAudit(project.id, "project.invitation_accept")).toMatchObject({
      result: "SUCCESS",
      targetName: invitee.email,
      after: { role: "MEMBER" },
    });
  });

  it("keeps another person's invitation from anyone else, and writes nothing when it refuses", async () => {
    const { project, asOwner } = await ownedProject();
    const invitee = await createUser(t.db);
    const intruder = await createUser(t.db);
    await asOwner.project.addMember({ projectId: project.id, email: invitee.email, role: "OWNER" });
    const [invitation] = await callerFor(t.db, actorOf(invitee)).me.invitations();
    const asIntruder = callerFor(t.db, actorOf(intruder));
    expect(await asIntruder.me.invitations()).toEqual([]);
    expect(await codeOf(asIntruder.me.acceptInvitation({ invitationId: invitation.id }))).toBe("NOT_FOUND");
    expect(await codeOf(asIntruder.me.declineInvitation({ invitationId: invitation.id }))).toBe("NOT_FOUND");
    expect(await t.db.membership.count({ where: { projectId: project.id, userId: intruder.id } })).toBe(0);
    expect(await t.db.projectInvitation.count({ where: { id: invitation.id } })).toBe(1);
    const refusals = await t.db.auditLog.findMany({
      where: { actorId: intruder.id },
      select: { action: true, result: true, errorCode: true },
    });
    expect(refusals).toEqual([
      { action: "project.invitation_accept", result: "REFUSED", errorCode: "NOT_FOUND" },
      { action: "project.invitation_decline", result: "REFUSED", errorCode: "NOT_FOUND" },
    ]);
    // an owner of another project cannot withdraw it either
    const other = await ownedProject();
    expect(
      await codeOf(
        other.asOwner.project.cancelInvitation({ projectId: other.project.id, invitationId: invitation.id }),
      ),
    ).toBe("NOT_FOUND");
    expect(await codeOf(asOwner.project.cancelInvitation({ projectId: project.id, invitationId: invitation.id }))).toBe(
      "OK",
    );
    expect(await callerFor(t.db, actorOf(invitee)).me.invitations()).toEqual([]);
  });

  it("refuses an expired invitation naming it, and does not list it", async () => {
    const { project, asOwner } = await ownedProject();
    const invitee = await createUser(t.db);
    await asOwner.project.addMember({ projectId: project.id, email: invitee.email, role: "MEMBER" });
    const invitation = await t.db.projectInvitation.update({
      where: { projectId_email: { projectId: project.id, email: invitee.email } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const asInvitee = callerFor(t.db, actorOf(invitee));
    expect(await asInvitee.me.invitations()).toEqual([]);
    expect(await asOwner.project.invitations({ projectId: project.id })).toEqual([]);
    await expect(asInvitee.me.acceptInvitation({ invitationId: invitation.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("invitationId: the invitation has expired"),
    });
    expect(await t.db.membership.count({ where: { projectId: project.id, userId: invitee.id } })).toBe(0);
  });

  it("never demotes a member who accepts, so the last owner stays owner", async () => {
    const { owner, project, asOwner } = await ownedProject();
    await asOwner.project.addMember({ projectId: project.id, email: owner.email, role: "VIEWER" });
    const asSelf = callerFor(t.db, actorOf(owner));
    const [invitation] = await asSelf.me.invitations();
    expect(await asSelf.me.acceptInvitation({ invitationId: invitation.id })).toEqual({
      projectId: project.id,
      role: "OWNER",
    });
    expect(
      await t.db.membership.findUnique({ where: { userId_projectId: { userId: owner.id, projectId: project.id } } }),
    ).toMatchObject({ role: "OWNER" });
  });

  it("lets a declined invitation go without joining", async () => {
    const { project, asOwner } = await ownedProject();
    const invitee = await createUser(t.db);
    await asOwner.project.addMember({ projectId: project.id, email: invitee.email, role: "MEMBER" });
    const asInvitee = callerFor(t.db, actorOf(invitee));
    const [invitation] = await asInvitee.me.invitations();
    expect(await asInvitee.me.declineInvitation({ invitationId: invitation.id })).toEqual({
      projectId: project.id,
      role: null,
    });
    expect(await t.db.membership.count({ where: { projectId: project.id, userId: invitee.id } })).toBe(0);
    expect(await t.db.projectInvitation.count({ where: { id: invitation.id } })).toBe(0);
  });

  it("lets platform admins, who see every account anyway, add at once, and tells them what is wrong", async () => {
    const { project } = await ownedProject();
    const admin = await createUser(t.db, { isPlatformAdmin: true });
    const asAdmin = callerFor(t.db, actorOf(admin));
    const colleague = await createUser(t.db);
    expect(await asAdmin.project.addMember({ projectId: project.id, email: colleague.email, role: "MEMBER" })).toEqual({
      status: "added",
      email: colleague.email,
      role: "MEMBER",
      userId: colleague.id,
    });
    await expect(
      asAdmin.project.addMember({ projectId: project.id, email: colleague.email, role: "VIEWER" }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("already a member") });
    await expect(
      asAdmin.project.addMember({ projectId: project.id, email: "nobody@example.com", role: "VIEWER" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("email: no user") });
    expect(
      await codeOf(
        callerFor(t.db, actorOf(colleague)).project.addMember({
          projectId: project.id,
          email: "x@example.com",
          role: "VIEWER",
        }),
      ),
    ).toBe("FORBIDDEN");
  });

  it("holds a project to a bounded number of pending invitations, naming the field", async () => {
    const { project, owner, asOwner } = await ownedProject();
    const expiresAt = new Date(Date.now() + 3_600_000);
    await t.db.projectInvitation.createMany({
      data: Array.from({ length: MAX_PENDING_INVITATIONS }, (_, i) => ({
        projectId: project.id,
        email: `bulk-${i}@example.com`,
        role: "VIEWER" as const,
        invitedById: owner.id,
        expiresAt,
      })),
    });
    await expect(
      asOwner.project.addMember({ projectId: project.id, email: "one-more@example.com", role: "VIEWER" }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("email: the project already has"),
    });
    // re-sending one already pending is not one more
    expect(
      (await asOwner.project.addMember({ projectId: project.id, email: "bulk-0@example.com", role: "MEMBER" })).status,
    ).toBe("invited");
    expect(await t.db.projectInvitation.count({ where: { projectId: project.id } })).toBe(MAX_PENDING_INVITATIONS);
  });
});
