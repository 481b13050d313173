import { expect, test } from "@playwright/test";
import { ADMIN } from "./support/accounts";
import { screenshot, signIn } from "./support/portal";

test.beforeEach(async ({ page }) => signIn(page, ADMIN));

test("the admin's audit log shows every step of the journey, and its chain verifies", async ({ page }) => {
  await page.goto("/admin");
  await expect(page.getByTestId("host-cluster")).toContainText("local");
  const table = page.getByTestId("audit-table");
  for (const action of [
    "vcluster.create",
    "vcluster.kubeconfig_download",
    "vcluster.suspend",
    "vcluster.resume",
    "vcluster.restore",
    "vcluster.delete",
  ]) {
    await expect(table.locator("tr").filter({ hasText: action }).filter({ hasText: "journey" }).first()).toContainText(
      ADMIN.email,
    );
  }
  // The snapshot's audit row names the cluster by id only.
  await expect(table.locator("tr").filter({ hasText: "snapshot.create" }).first()).toContainText(ADMIN.email);
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("audit-verify")).toContainText("Chain intact");
  await screenshot(page, "admin");
  const csv = await page.request.get("/api/audit/export?format=csv&target=journey");
  expect(csv.ok()).toBe(true);
  expect(await csv.text()).toContain("vcluster.delete");
});

test("projects: members, quota and webhooks", async ({ page }) => {
  await page.goto("/projects");
  await screenshot(page, "projects");
  await page.getByRole("link", { name: "Default" }).click();
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(page.getByText("viewer@example.com")).toBeVisible();
  await page.getByLabel("Payload URL").fill("https://ci.example.com/hooks/vcluster");
  await page.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.getByText("Signing secret")).toBeVisible();
  await screenshot(page, "project-detail");
});

test("dark mode persists, and pages fit a phone", async ({ page }) => {
  await page.goto("/clusters");
  await expect(page.getByTestId("cluster-row").first()).toBeVisible();
  await page.getByRole("button", { name: "Switch to dark mode" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByTestId("cluster-row").first()).toBeVisible();
  await screenshot(page, "clusters-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await screenshot(page, "clusters-phone-dark");
  await page.getByRole("button", { name: "Menu" }).click();
  await expect(page.getByRole("link", { name: "Projects" })).toBeVisible();
  await page.getByRole("button", { name: "Switch to light mode" }).click();
  await page.goto("/clusters/new");
  await screenshot(page, "wizard-phone");
});
