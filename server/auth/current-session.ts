import { getServerSession, type Session } from "next-auth";
import type { AppError } from "@/server/universal/errors";
import { authOptions } from "./options";

/**
 * The request's browser session, or null when it has none or it ended. A database outage while checking it is
 * thrown (AppError UNAVAILABLE) rather than passed off as "signed out".
 */
export async function currentSession(): Promise<Session | null> {
  const seen: { outage?: AppError } = {};
  const session = await getServerSession(authOptions({ onUnavailable: (error) => (seen.outage = error) }));
  if (seen.outage) throw seen.outage;
  return session;
}
