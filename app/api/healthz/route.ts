export const dynamic = "force-dynamic";

/** Liveness: the process answers. Dependencies are readyz's business. */
export function GET(): Response {
  return Response.json({ status: "ok" });
}
