import { db } from "@/server/db/client";
import { checkReadiness } from "@/server/observability/readiness";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const readiness = await checkReadiness(db());
  return Response.json(readiness, { status: readiness.ready ? 200 : 503 });
}
