/**
 * The spec's side of the test OpenID Provider (e2e/support/oidc-provider.ts, started by the global setup): what a
 * subject's claims say, and the whole browser flow from the portal's sign-in page through the provider and back.
 */
import { expect, type Page } from "@playwright/test";

/** the label of the portal's SSO button (OIDC_NAME) for this run */
export const OIDC_NAME = "Test OpenID";
export const ACCOUNTS_PATH = "/e2e-admin/accounts";

export interface OidcTestAccount {
  /** what the provider's login page is given, and the ID token's `sub` */
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; the global setup starts the test OpenID Provider`);
  return value;
}

export const oidcIssuer = (): string => required("E2E_OIDC_ISSUER");

/** What the provider says about `sub` from now on (its next sign-in's ID token). */
export async function setOidcAccount(account: OidcTestAccount): Promise<void> {
  const { sub, ...claims } = account;
  const response = await fetch(`${oidcIssuer()}${ACCOUNTS_PATH}/${encodeURIComponent(sub)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${required("E2E_OIDC_ADMIN_TOKEN")}`, "content-type": "application/json" },
    body: JSON.stringify(claims),
  });
  if (response.status !== 204)
    throw new Error(`the test OpenID Provider refused the account ${sub}: ${response.status}`);
}

/**
 * "Continue with …" on the portal's sign-in page, the provider's login (as `sub`, any password) and consent pages,
 * and back: resolves once the browser is on a portal page again (the clusters page, or the sign-in page with the
 * refusal). The page should be in a fresh browser context, so the provider has no session to skip its pages with.
 */
export async function signInWithSso(page: Page, sub: string): Promise<void> {
  const portal = new URL(required("E2E_BASE_URL")).origin;
  const issuer = new URL(oidcIssuer()).origin;
  await page.goto("/signin");
  const button = page.getByRole("button", { name: `Continue with ${OIDC_NAME}` });
  // The button only works once React has hydrated it; a click before that is lost.
  await expect
    .poll(() => button.evaluate((el) => Object.keys(el).some((key) => key.startsWith("__reactProps"))))
    .toBe(true);
  await button.click();

  await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith("/interaction/"));
  await page.locator("input[name=login]").fill(sub);
  await page.locator("input[name=password]").fill("any password: the development login page takes every one");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await expect(page.locator("input[name=prompt][value=consent]")).toBeAttached();
  await page.getByRole("button", { name: "Continue" }).click();

  await page.waitForURL((url) => url.origin === portal && !url.pathname.startsWith("/api/auth/"));
}
