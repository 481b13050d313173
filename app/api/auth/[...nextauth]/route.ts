import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { RETRY_AFTER_S } from "@/server/api/outage-status";
import { authOptions } from "@/server/auth/options";
import type { AppError } from "@/server/universal/errors";

export const dynamic = "force-dynamic";

interface RouteContext {
  params: Promise<{ nextauth: string[] }>;
}

// Options are built per request so that `next build` needs no runtime secrets.
async function handler(req: NextRequest, context: RouteContext): Promise<Response> {
  const seen: { outage?: AppError } = {};
  const response = (await NextAuth(
    req,
    context,
    authOptions({ onUnavailable: (error) => (seen.outage = error) }),
  )) as Response;
  // next-auth's answer would clear the session cookie: an outage must not sign anyone out
  if (seen.outage) {
    return Response.json(
      { error: { code: "UNAVAILABLE", message: seen.outage.message } },
      { status: 503, headers: { "retry-after": String(RETRY_AFTER_S) } },
    );
  }
  return response;
}

export { handler as GET, handler as POST };
