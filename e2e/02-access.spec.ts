import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { ADMIN, SHARED_CLUSTER, VIEWER } from "./support/accounts";
import { openWizard, screenshot, signIn } from "./support/portal";

const exec = promisify(execFile);

test("a VIEWER sees clusters but no button that would change them", async ({ browser }) => {
  const admin = await browser.newPage();
  await signIn(admin, ADMIN);
  await openWizard(admin);
  await admin.getByLabel("Name").fill(SHARED_CLUSTER);
  for (let step = 0; step < 5; step += 1) await admin.getByRole("button", { name: "Next" }).click();
  await admin.getByRole("button", { name: "Create cluster" }).click();
  await expect(admin.getByTestId("cluster-name")).toHaveText(SHARED_CLUSTER);
  await expect(admin.getByTestId("cluster-actions")).toBeVisible();
  const detailPath = new URL(admin.url()).pathname;
  await admin.close();

  const page = await browser.newPage();
  await signIn(page, VIEWER);
  await page.goto("/clusters");
  const row = page.locator(`[data-testid=cluster-row][data-name=${SHARED_CLUSTER}]`);
  await expect(row).toBeVisible();
  await expect(row.getByRole("button")).toHaveCount(0);
  await expect(page.getByRole("link", { name: /New cluster|Create your first cluster/ })).toHaveCount(0);
  await screenshot(page, "viewer-clusters");

  await page.goto(detailPath);
  await expect(page.getByTestId("cluster-name")).toHaveText(SHARED_CLUSTER);
  await expect(page.getByTestId("cluster-actions")).toHaveCount(0);
  for (const name of ["Suspend", "Resume", "Scale", "Edit", "Delete", "Recover"])
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  await screenshot(page, "viewer-cluster-detail");

  // a VIEWER's own kubeconfig reads through the portal, and RBAC inside the vcluster refuses its writes
  await expect(page.locator("header").getByTestId("phase")).toHaveAttribute("data-phase", "RUNNING", {
    timeout: 90_000,
  });
  const download = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-kubeconfig").click(),
  ]).then(([d]) => d);
  const file = path.join(await mkdtemp(path.join(tmpdir(), "ovc-viewer-")), download.suggestedFilename());
  await download.saveAs(file);
  const kubectl = (...args: string[]) =>
    exec("kubectl", ["--kubeconfig", file, ...args], { timeout: 30_000 }).then(
      (r) => r.stdout,
      (e: { stderr?: string }) => `refused: ${e.stderr ?? ""}`,
    );
  expect(await kubectl("get", "namespaces", "-o", "name")).toContain("namespace/default");
  expect(await kubectl("create", "configmap", "by-viewer", "-n", "default", "--from-literal=a=b")).toContain(
    `User "${VIEWER.email}" cannot create resource "configmaps"`,
  );

  await page.goto("/projects");
  await page.getByRole("link", { name: "Default" }).click();
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Add member|Edit quota|Remove/ })).toHaveCount(0);
  await screenshot(page, "viewer-project");
  await page.close();
});

test("a user who is not a platform admin cannot open the audit log", async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await screenshot(page, "viewer-admin-404");
});
