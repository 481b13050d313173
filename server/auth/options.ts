import type { AuthOptions } from "next-auth";
import { sameOriginRedirect } from "@/server/validation/callback-url";
import CredentialsModule from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";
import { db } from "@/server/db/client";
import { translateDbError } from "@/server/db/errors";
import { env } from "@/server/env";
import { AppError } from "@/server/universal/errors";
import { CLIENT_ADDRESS_HEADER } from "@/server/security/client-address";
import { logger } from "@/server/observability/logger";
import { linkOidcIdentity } from "./oidc-link";
import {
  closeServerSession,
  isSessionLive,
  openServerSession,
  SESSION_MAX_AGE_S,
  SessionEndedError,
} from "./server-sessions";
import { auditSignIn } from "./sign-in-audit";
import { checkPasswordSignIn, SignInThrottled } from "./sign-in-guard";

// A CommonJS module: bundled by Next its default import is the function, loaded by Node (the portal's own server,
// which answers the API without Next) it is the module object holding it.
const CredentialsProvider =
  (CredentialsModule as unknown as { default?: typeof CredentialsModule }).default ?? CredentialsModule;

const credentialsSchema = z.object({ email: z.string().email(), password: z.string().min(1) });

interface OidcProfile {
  sub: string;
  email?: string;
  name?: string;
  preferred_username?: string;
}

function oidcProvider(): OAuthConfig<OidcProfile> | null {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME } = env();
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return null;
  return {
    id: "oidc",
    name: OIDC_NAME,
    type: "oauth",
    wellKnown: `${OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: OIDC_CLIENT_ID,
    clientSecret: OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    // Providers that follow OIDC Core 5.4 send email only from userinfo. Its `sub` must be the ID token's (OIDC Core
    // 5.3.2), so the two describe one identity; userinfo's claims win where both have one.
    userinfo: {
      async request({ tokens, client }) {
        const claims = (tokens as { claims?: () => OidcProfile }).claims?.();
        if (!claims || !tokens.access_token)
          throw new Error("the identity provider answered without an ID token or an access token");
        const info = (await client.userinfo(tokens.access_token)) as Partial<OidcProfile>;
        if (info.sub !== claims.sub)
          throw new Error("the identity provider's userinfo names another subject than its ID token");
        return { ...claims, ...info, sub: claims.sub };
      },
    },
    checks: ["pkce", "state"],
    profile: (profile) => ({
      id: profile.sub,
      email: profile.email ?? null,
      name: profile.name ?? profile.preferred_username ?? null,
    }),
  };
}

export interface AuthHooks {
  /**
   * The database could not be reached while checking a session. next-auth answers "no session" to any error in
   * the jwt callback (and its own routes clear the cookie), so callers learn of the outage here and answer 503
   * instead of treating a signed-in person as signed out.
   */
  onUnavailable?: (error: AppError) => void;
}

export function authOptions(hooks: AuthHooks = {}): AuthOptions {
  const oidc = oidcProvider();
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, req) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const headers = req.headers as Record<string, string | undefined> | undefined;
          const seen = {
            method: "password" as const,
            email: parsed.data.email,
            sourceIp: headers?.[CLIENT_ADDRESS_HEADER] ?? null,
            userAgent: headers?.["user-agent"] ?? null,
          };
          try {
            const user = await checkPasswordSignIn(db(), parsed.data.email, parsed.data.password, seen.sourceIp);
            await auditSignIn(db(), {
              ...seen,
              action: "auth.sign_in",
              userId: user?.id ?? null,
              refusal: user ? null : "CredentialsSignin",
            });
            return user;
          } catch (error) {
            if (error instanceof SignInThrottled)
              await auditSignIn(db(), { ...seen, action: "auth.sign_in", userId: null, refusal: error.message });
            // next-auth turns a thrown error's message into the sign-in page's ?error= code
            throw error;
          }
        },
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      redirect({ url, baseUrl }) {
        return sameOriginRedirect(url, baseUrl);
      },
      async signIn({ account, user, profile }) {
        if (account?.provider !== "oidc") return true;
        if (!user.email) return "/signin?error=OidcNoEmail";
        const claims = (profile ?? {}) as { email_verified?: unknown };
        const linked = await linkOidcIdentity(
          db(),
          {
            providerAccountId: account.providerAccountId,
            email: user.email,
            emailVerified: claims.email_verified === true,
            name: user.name ?? null,
          },
          env().OIDC_LINK_VERIFIED_EMAIL === "true",
        );
        const seen = {
          action: "auth.sign_in" as const,
          method: "oidc" as const,
          email: user.email,
          sourceIp: null,
          userAgent: null,
        };
        await auditSignIn(
          db(),
          "refused" in linked
            ? { ...seen, userId: null, refusal: `Oidc${linked.refused}` }
            : { ...seen, userId: linked.userId, refusal: null },
        );
        return "refused" in linked ? `/signin?error=Oidc${linked.refused}` : true;
      },
      async jwt({ token, account }) {
        try {
          if (account) {
            // signIn has linked the identity; the link is the only way from it to an account
            if (account.provider === "oidc") {
              const linked = await db().account.findUnique({
                where: {
                  provider_providerAccountId: { provider: "oidc", providerAccountId: account.providerAccountId },
                },
                select: { userId: true },
              });
              if (!linked) throw new Error("an OIDC sign-in reached the session without a linked account");
              token.sub = linked.userId;
            }
            if (!token.sub) throw new Error("a sign-in reached the session without a user");
            const opened = await openServerSession(db(), token.sub);
            token.sid = opened.sid;
            token.sessionId = opened.sessionId;
            return token;
          }
          // next-auth clears the cookie and answers "no session" when this throws
          if (!token.sid || !token.sub || !(await isSessionLive(db(), token.sid, token.sub)))
            throw new SessionEndedError();
          return token;
        } catch (error) {
          const translated = translateDbError(error);
          if (translated instanceof AppError && translated.code === "UNAVAILABLE") {
            hooks.onUnavailable?.(translated);
            throw translated;
          }
          throw error;
        }
      },
      async session({ session, token }) {
        if (session.user && token.sub) session.user.id = token.sub;
        // the row's id, not the secret in the cookie: live feeds re-check it
        if (token.sessionId) session.sessionId = token.sessionId;
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (token?.sid) await closeServerSession(db(), token.sid);
        if (token?.sub)
          await auditSignIn(db(), {
            action: "auth.sign_out",
            method: "password",
            email: token.email ?? token.sub,
            userId: token.sub,
            refusal: null,
            sourceIp: null,
            userAgent: null,
          });
      },
    },
    logger: {
      error(code, metadata) {
        const ended =
          metadata instanceof SessionEndedError ||
          (typeof metadata === "object" && "error" in metadata && metadata.error instanceof SessionEndedError);
        // an ended session is an ordinary "signed out", not a fault; other errors are logged by code only, since
        // their metadata can hold tokens from the provider
        if (ended) logger().debug({ code }, "a signed-out or revoked session was refused");
        else
          logger().error(
            { code, message: metadata instanceof Error ? metadata.message : undefined },
            "authentication error",
          );
      },
      warn(code) {
        logger().warn({ code }, "authentication warning");
      },
      debug() {},
    },
  };
}
