/**
 * Sign-ins, failed sign-ins and sign-outs in the audit log (ASVS 4.0.3 V7.1.3, V7.2.1). A failure names the email
 * as typed, never the password; the reason is one of next-auth's codes, so the log does not say more than the page.
 */
import type { Db } from "@/server/db/client";
import { logger } from "@/server/observability/logger";
import { writeAudit } from "@/server/services/audit/write-audit";

export interface SignInEvent {
  action: "auth.sign_in" | "auth.sign_out";
  method: "password" | "oidc";
  email: string;
  userId: string | null;
  /** null: it succeeded */
  refusal: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

export async function auditSignIn(db: Db, event: SignInEvent): Promise<void> {
  const label = event.email.toLowerCase().slice(0, 200);
  try {
    await db.$transaction((tx) =>
      writeAudit(
        tx,
        {
          actorType: event.userId ? "user" : "anonymous",
          actorId: event.userId,
          actorLabel: label,
          requestId: null,
          sourceIp: event.sourceIp,
          userAgent: event.userAgent?.slice(0, 500) ?? null,
        },
        {
          action: event.action,
          targetType: "user",
          targetId: event.userId,
          targetName: label,
          after: { method: event.method },
        },
        event.refusal
          ? { result: "REFUSED", errorCode: event.refusal, message: `sign-in refused (${event.refusal})` }
          : { result: "SUCCESS" },
      ),
    );
  } catch (error) {
    // the sign-in's own answer stands; a missing row is the operator's alert
    logger().error({ err: error, action: event.action }, "could not audit a sign-in");
  }
}
