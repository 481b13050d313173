import { env } from "@/server/env";

/** The sign-in page's SSO button label, or null when no OIDC provider is configured. */
export function oidcProviderName(): string | null {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME } = env();
  return OIDC_ISSUER && OIDC_CLIENT_ID && OIDC_CLIENT_SECRET ? OIDC_NAME : null;
}
