import "next-auth";

declare module "next-auth" {
  interface Session {
    user?: { id: string; name?: string | null; email?: string | null; image?: string | null };
    /** the Session row this browser session is, for re-checks that must not hold the cookie's secret */
    sessionId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** the secret whose hash names the Session row (server/auth/server-sessions.ts) */
    sid?: string;
    sessionId?: string;
  }
}
