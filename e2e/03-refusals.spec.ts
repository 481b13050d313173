import { expect, test } from "@playwright/test";
import { ADMIN, SHARED_CLUSTER } from "./support/accounts";
import { openWizard, screenshot, signIn } from "./support/portal";

test.beforeEach(async ({ page }) => signIn(page, ADMIN));

test("the wizard shows the shared schema's refusal on its field, and the server's too", async ({ page }) => {
  await openWizard(page);
  await page.getByLabel("Name").fill("Not_A_DNS_Name");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.locator("[data-field-error=name]")).toContainText("DNS-1123");
  await screenshot(page, "wizard-field-error");

  await page.getByLabel("Name").fill("refused");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("CPU request").fill("2");
  await page.getByLabel("CPU limit").fill("1");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.locator("[data-field-error=cpuRequest]")).toContainText("must not exceed the CPU limit");
  await page.getByLabel("CPU request").fill("100m");
  for (let step = 0; step < 3; step += 1) await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Helm values (YAML)").fill("controlPlane: [unclosed");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.locator("[data-field-error=helmValues]")).toBeVisible();
  await page.getByLabel("Helm values (YAML)").fill("");
  await page.getByRole("button", { name: "Next" }).click();

  // What only the server knows: the name is taken in this project (by the access spec's cluster).
  await page.getByRole("button", { name: "Basics" }).click();
  await page.getByLabel("Name").fill(SHARED_CLUSTER);
  for (let step = 0; step < 5; step += 1) await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create cluster" }).click();
  await expect(page.locator("[data-field-error=name]")).toContainText("already exists");
  await screenshot(page, "wizard-server-refusal");
});

test("a create over the project's quota is refused on the quota", async ({ page }) => {
  await page.goto("/admin");
  await page.getByLabel("Slug").fill("tight");
  await page.getByLabel("Project name").fill("Tight budget");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("link", { name: "Tight budget" }).click();
  await expect(page.getByRole("heading", { name: "Tight budget" })).toBeVisible();
  await page.getByRole("button", { name: "Edit quota" }).click();
  await page.getByLabel("CPU (millicores)").fill("100");
  await page.getByRole("button", { name: "Save quota" }).click();
  await expect(page.getByRole("progressbar", { name: "CPU" })).toBeVisible();
  await expect(page.getByTestId("quota-usage")).toContainText("100m");

  await openWizard(page);
  await page.getByLabel("Name").fill("too-big");
  await page.getByLabel("Project").selectOption({ label: "Tight budget" });
  for (let step = 0; step < 5; step += 1) await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("quota-preview")).toContainText("over by");
  await page.getByRole("button", { name: "Create cluster" }).click();
  await expect(page.locator("[data-field-error=quota]")).toContainText("quota exceeded");
  await screenshot(page, "wizard-quota-refusal");
});
