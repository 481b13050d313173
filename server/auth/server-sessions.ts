/**
 * Browser sessions are JWT cookies, which by themselves stay valid until they expire. Each one also names a row of
 * Session (by the SHA-256 of a random id carried in the JWT), checked on every request, so signing out, an admin's
 * revoke (and, later, a password change or disabling) end it at once on every instance. Sessions end 12 hours
 * after sign-in however active they are (ASVS 4.0.3 V3.3).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db, Tx } from "@/server/db/client";

export const SESSION_MAX_AGE_S = 12 * 60 * 60;

const digest = (sid: string) => createHash("sha256").update(sid).digest("hex");

/** A new session for a sign-in: the secret id goes into the JWT, only its hash into the database. */
export async function openServerSession(
  db: Db,
  userId: string,
  now = new Date(),
): Promise<{ sid: string; sessionId: string }> {
  const sid = randomBytes(32).toString("base64url");
  const row = await db.session.create({
    data: { sessionToken: digest(sid), userId, expires: new Date(now.getTime() + SESSION_MAX_AGE_S * 1000) },
    select: { id: true },
  });
  return { sid, sessionId: row.id };
}

export async function isSessionLive(db: Db, sid: string, userId: string, now = new Date()): Promise<boolean> {
  const row = await db.session.findUnique({
    where: { sessionToken: digest(sid) },
    select: { userId: true, expires: true },
  });
  return !!row && row.userId === userId && row.expires > now;
}

/** For checks that hold the row's id rather than the secret (open live feeds). */
export async function isSessionRowLive(db: Db, sessionId: string, now = new Date()): Promise<boolean> {
  const row = await db.session.findUnique({ where: { id: sessionId }, select: { expires: true } });
  return !!row && row.expires > now;
}

export async function closeServerSession(db: Db, sid: string): Promise<void> {
  await db.session.deleteMany({ where: { sessionToken: digest(sid) } });
}

/** Ends every session of a person; returns how many were live. Expired rows go too. */
export async function revokeUserSessions(db: Db | Tx, userId: string, now = new Date()): Promise<number> {
  const live = await db.session.count({ where: { userId, expires: { gt: now } } });
  await db.session.deleteMany({ where: { userId } });
  return live;
}

export class SessionEndedError extends Error {
  constructor() {
    super("the session was signed out, revoked or has expired");
    this.name = "SessionEndedError";
  }
}
