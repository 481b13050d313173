/**
 * `GET /api/audit/export?format=csv|ndjson&<filters>`: the audit log as a download, for platform admins, signed in by
 * session cookie or Bearer token. Kept out of route.ts so tests can call it with their own database.
 */
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { clientAddressOf } from "@/server/security/client-address";
import { z } from "zod";
import { auditActorOf } from "@/server/api/audit-actor";
import { requestIdOf } from "@/server/api/context";
import { toAppError, toTrpcError } from "@/server/api/error-map";
import { resolveActor, type Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { AppError, type FieldIssue } from "@/server/universal/errors";
import { auditFilterSchema } from "@/server/services/audit/audit-filter";
import { AUDIT_EXPORT_FORMATS, auditExportStream } from "@/server/services/audit/export-audit";
import { writeAudit } from "@/server/services/audit/write-audit";

const querySchema = z
  .object({ format: z.enum(AUDIT_EXPORT_FORMATS, { message: "format must be csv or ndjson" }) })
  .and(auditFilterSchema);

const CONTENT_TYPE = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8" } as const;

function errorResponse(error: AppError, requestId: string): Response {
  return Response.json(
    { error: { code: error.code, message: error.message, issues: error.issues } },
    { status: getHTTPStatusCodeFromError(toTrpcError(error)), headers: { "x-request-id": requestId } },
  );
}

async function adminOf(db: Db, headers: Headers): Promise<Actor> {
  const actor = await resolveActor(db, headers);
  if (!actor) throw new AppError("UNAUTHENTICATED", "sign in, or send an API token as `Authorization: Bearer <token>`");
  if (!actor.isPlatformAdmin) throw new AppError("FORBIDDEN", "only platform admins may export the audit log");
  return actor;
}

export async function exportAuditLog(db: Db, request: Request): Promise<Response> {
  const requestId = requestIdOf(request.headers);
  try {
    const actor = await adminOf(db, request.headers);
    const parsed = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) {
      const issues: FieldIssue[] = parsed.error.issues.map((i) => ({
        field: i.path.map(String).join(".") || "(query)",
        message: i.message,
      }));
      throw new AppError("INVALID", issues.map((i) => `${i.field}: ${i.message}`).join("; "), { issues });
    }
    const { format, ...filter } = parsed.data;
    const ctx = {
      actor,
      requestId,
      ip: clientAddressOf(request.headers),
      userAgent: request.headers.get("user-agent"),
    };
    // Reading the whole trail is itself worth a line in it.
    await db.$transaction((tx) =>
      writeAudit(tx, auditActorOf(ctx), { action: "audit.export", targetType: "auditLog", after: { format, filter } }),
    );
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(auditExportStream(db, filter, format), {
      headers: {
        "content-type": CONTENT_TYPE[format],
        "content-disposition": `attachment; filename="audit-${stamp}.${format}"`,
        "cache-control": "no-store",
        "x-request-id": requestId,
      },
    });
  } catch (error) {
    const app = toAppError(error);
    if (!app) throw error;
    return errorResponse(app, requestId);
  }
}
