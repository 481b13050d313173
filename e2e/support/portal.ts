import { expect, type Page } from "@playwright/test";

export async function signIn(page: Page, account: { email: string; password: string }): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(account.email);
}

/** Every page the suite visits is kept as a picture under e2e/screenshots/ (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

/** Opens the wizard once it is interactive: its project list has loaded, so typing is not lost to hydration. */
export async function openWizard(page: Page): Promise<void> {
  await page.goto("/clusters/new");
  await expect(page.getByLabel("Project").locator("option", { hasText: "Default" })).toHaveCount(1);
}
