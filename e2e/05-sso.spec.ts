/**
 * Single sign-on against a real OpenID Provider (e2e/support/oidc-provider.ts) through the whole browser flow: the
 * portal's button, the provider's login and consent pages, the callback. An identity reaches an account only by its
 * subject, or as a new account with a verified email; an email claim never takes over an existing account.
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN, VIEWER } from "./support/accounts";
import { screenshot, signIn } from "./support/portal";
import { setOidcAccount, signInWithSso } from "./support/sso";

/** this run's subjects and addresses, so the spec needs nothing of the other specs but the two seeded accounts */
const run = randomBytes(4).toString("hex");

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  disabled: boolean;
  createdAt: string;
  projectCount: number;
}

interface Me {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  memberships: unknown[];
}

let admin: Page;

test.beforeAll(async ({ browser }) => {
  admin = await browser.newPage();
  await signIn(admin, ADMIN);
});

test.afterAll(async () => admin.close());

/** Every account, as the platform admin sees them through the REST API (what each one is, not how busy). */
async function users(): Promise<UserRow[]> {
  const response = await admin.request.get("/api/v1/users");
  expect(response.status()).toBe(200);
  return ((await response.json()) as UserRow[]).map(
    ({ id, email, name, isPlatformAdmin, disabled, createdAt, projectCount }) => ({
      id,
      email,
      name,
      isPlatformAdmin,
      disabled,
      createdAt,
      projectCount,
    }),
  );
}

function rowOf(rows: UserRow[], email: string): UserRow {
  const row = rows.find((u) => u.email === email);
  if (!row) throw new Error(`no account ${email}`);
  return row;
}

/** Who the page's browser is signed in as, or null when it is not. */
async function meOf(page: Page): Promise<Me | null> {
  const response = await page.request.get("/api/v1/me");
  if (response.status() === 401) return null;
  expect(response.status()).toBe(200);
  return (await response.json()) as Me;
}

/** A page in a browser context of its own: no portal session, and no provider session to skip the login with. */
async function freshPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function expectRefused(page: Page, code: string, message: string, picture: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`/signin\\?error=${code}$`));
  await expect(page.locator("form").getByRole("alert")).toHaveText(message);
  await screenshot(page, picture);
  expect(await meOf(page)).toBeNull();
  expect(await (await page.request.get("/api/auth/session")).json()).toEqual({});
  await page.goto("/clusters");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
}

/**
 * The refused sign-in linked nothing to the subject: once the provider gives it a fresh verified address, the same
 * subject gets a new account of its own, and none of the given ones.
 */
async function expectNotLinked(browser: Browser, sub: string, notTo: string[]): Promise<void> {
  const email = `${sub}@fresh.example.org`;
  await setOidcAccount({ sub, email, emailVerified: true, name: "Fresh Address" });
  const page = await freshPage(browser);
  await signInWithSso(page, sub);
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  const me = await meOf(page);
  expect(me).toMatchObject({ email, isPlatformAdmin: false, memberships: [] });
  expect(notTo).not.toContain(me?.id);
  await page.context().close();
}

test("an identity whose unverified email is the admin's is refused, signs in as nobody and writes nothing", async ({
  browser,
}) => {
  const before = await users();
  const adminRow = rowOf(before, ADMIN.email);
  expect(adminRow.isPlatformAdmin).toBe(true);

  const sub = `mallory-${run}`;
  await setOidcAccount({ sub, email: ADMIN.email, emailVerified: false, name: "Mallory" });
  const page = await freshPage(browser);
  await signInWithSso(page, sub);
  await expectRefused(
    page,
    "OidcEmailNotVerified",
    "Your identity provider has not verified your email address, so single sign-on cannot use it.",
    "sso-refused-unverified",
  );
  await page.context().close();

  expect(await users()).toEqual(before);
  await expectNotLinked(browser, sub, [adminRow.id]);
  expect(await meOf(admin)).toMatchObject({ id: adminRow.id, email: ADMIN.email, isPlatformAdmin: true });
});

for (const [who, account] of [
  ["the admin", ADMIN],
  ["a viewer", VIEWER],
] as const) {
  test(`a verified email of ${who}'s password account is refused: single sign-on never takes over a password account`, async ({
    browser,
  }) => {
    const before = await users();
    const row = rowOf(before, account.email);

    const sub = `claimant-${who.replace(/\W/g, "-")}-${run}`;
    await setOidcAccount({ sub, email: account.email, emailVerified: true, name: "Claimant" });
    const page = await freshPage(browser);
    await signInWithSso(page, sub);
    await expectRefused(
      page,
      "OidcAccountExists",
      "An account with this email already exists here. Sign in with it, or ask an admin to link single sign-on to it.",
      `sso-refused-exists-${who.replace(/\W/g, "-")}`,
    );

    expect(await users()).toEqual(before);
    await expectNotLinked(browser, sub, [row.id]);
    // the password still signs in to that same account
    await signIn(page, account);
    expect(await meOf(page)).toMatchObject({ id: row.id, email: account.email });
    await page.context().close();
  });
}

test("a verified new identity gets an account of its own, and its subject reaches it again whatever its email says next", async ({
  browser,
}) => {
  const sub = `nina-${run}`;
  const email = `nina-${run}@example.org`;
  await setOidcAccount({ sub, email, emailVerified: true, name: "Nina Newcomer" });
  const before = await users();
  expect(before.map((u) => u.email)).not.toContain(email);

  const page = await freshPage(browser);
  await signInWithSso(page, sub);
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(page.getByRole("heading", { name: "Virtual clusters" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  await expect(page.getByText("No virtual clusters yet")).toBeVisible();
  await screenshot(page, "sso-new-account");
  const me = await meOf(page);
  expect(me).toMatchObject({ email, name: "Nina Newcomer", isPlatformAdmin: false, memberships: [] });
  await page.context().close();

  const after = await users();
  expect(after).toHaveLength(before.length + 1);
  expect(rowOf(after, email)).toMatchObject({
    id: me?.id,
    name: "Nina Newcomer",
    isPlatformAdmin: false,
    disabled: false,
    projectCount: 0,
  });

  // The provider now says other things about the same subject, last the viewer's (verified) address: the link decides.
  for (const changed of [`nina.renamed-${run}@example.org`, VIEWER.email]) {
    await setOidcAccount({ sub, email: changed, emailVerified: true, name: "Nina Renamed" });
    const again = await freshPage(browser);
    await signInWithSso(again, sub);
    await expect(again).toHaveURL(/\/clusters$/);
    await expect(again.getByTestId("signed-in-as")).toHaveText(email);
    expect(await meOf(again)).toMatchObject({ id: me?.id, email, isPlatformAdmin: false });
    await again.context().close();
  }
  expect(await users()).toEqual(after);
});
