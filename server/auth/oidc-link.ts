/**
 * Which account an OpenID Connect identity signs in to. An identity is the provider's subject: once linked, that
 * link alone decides. A new identity gets a new account only with a verified email, and never takes over an
 * existing account by email (anyone can put any address in a public IdP's profile), unless the platform opted in
 * (OIDC_LINK_VERIFIED_EMAIL=true) and the account has no password.
 */
import type { Db } from "@/server/db/client";

export type OidcLinkDecision =
  | { kind: "linked"; userId: string }
  | { kind: "create" }
  | { kind: "link"; userId: string }
  | { kind: "refuse"; reason: "EmailNotVerified" | "AccountExists" | "Disabled" };

export function decideOidcLink(input: {
  linked: { userId: string; disabled: boolean } | null;
  emailVerified: boolean;
  existing: { id: string; hasPassword: boolean; disabled: boolean } | null;
  linkVerifiedEmail: boolean;
}): OidcLinkDecision {
  if (input.linked)
    return input.linked.disabled
      ? { kind: "refuse", reason: "Disabled" }
      : { kind: "linked", userId: input.linked.userId };
  if (!input.emailVerified) return { kind: "refuse", reason: "EmailNotVerified" };
  if (!input.existing) return { kind: "create" };
  if (input.existing.disabled) return { kind: "refuse", reason: "Disabled" };
  if (input.linkVerifiedEmail && !input.existing.hasPassword) return { kind: "link", userId: input.existing.id };
  return { kind: "refuse", reason: "AccountExists" };
}

/** Applies the decision: the user id to sign in as, or the refusal's reason (for the sign-in page). */
export async function linkOidcIdentity(
  db: Db,
  identity: { providerAccountId: string; email: string; emailVerified: boolean; name: string | null },
  linkVerifiedEmail: boolean,
): Promise<{ userId: string } | { refused: string }> {
  const email = identity.email.toLowerCase();
  const account = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: "oidc", providerAccountId: identity.providerAccountId } },
    select: { user: { select: { id: true, disabled: true } } },
  });
  const existing = account
    ? null
    : await db.user.findUnique({ where: { email }, select: { id: true, passwordHash: true, disabled: true } });
  const decision = decideOidcLink({
    linked: account ? { userId: account.user.id, disabled: account.user.disabled } : null,
    emailVerified: identity.emailVerified,
    existing: existing
      ? { id: existing.id, hasPassword: existing.passwordHash !== null, disabled: existing.disabled }
      : null,
    linkVerifiedEmail,
  });
  switch (decision.kind) {
    case "linked":
      return { userId: decision.userId };
    case "refuse":
      return { refused: decision.reason };
    case "link":
      await db.account.create({
        data: {
          userId: decision.userId,
          type: "oauth",
          provider: "oidc",
          providerAccountId: identity.providerAccountId,
        },
      });
      return { userId: decision.userId };
    case "create": {
      const user = await db.user.create({
        data: {
          email,
          name: identity.name,
          emailVerified: new Date(),
          accounts: { create: { type: "oauth", provider: "oidc", providerAccountId: identity.providerAccountId } },
        },
      });
      return { userId: user.id };
    }
  }
}
