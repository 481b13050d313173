import { timingSafeEqual } from "node:crypto";
import { env } from "@/server/env";
import { metrics } from "@/server/observability/metrics";

export const dynamic = "force-dynamic";

/** Equal work whatever the guess, so the token cannot be found a byte at a time. */
function matches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus scrapes with `Authorization: Bearer $METRICS_TOKEN`; without that setting nothing is served. */
export async function GET(req: Request): Promise<Response> {
  const token = env().METRICS_TOKEN;
  if (!token)
    return Response.json(
      {
        error: {
          code: "NOT_FOUND",
          message: "metrics are off: set METRICS_TOKEN and scrape with it as a Bearer token",
        },
      },
      { status: 404 },
    );
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!matches(given, token))
    return Response.json(
      { error: { code: "UNAUTHORIZED", message: "send Authorization: Bearer <METRICS_TOKEN>" } },
      { status: 401, headers: { "www-authenticate": "Bearer" } },
    );
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
