import { db } from "@/server/db/client";
import { exportAuditLog } from "./export-handler";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return exportAuditLog(db(), request);
}
