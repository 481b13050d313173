import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

interface RouteContext {
  params: Promise<{ nextauth: string[] }>;
}

// Options are built per request so that `next build` needs no runtime secrets.
async function handler(req: NextRequest, context: RouteContext): Promise<Response> {
  return (await NextAuth(req, context, authOptions())) as Response;
}

export { handler as GET, handler as POST };
