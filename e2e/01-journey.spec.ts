import { execFile } from "node:child_process";
import { access, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN } from "./support/accounts";
import { screenshot, signIn } from "./support/portal";

const exec = promisify(execFile);
const CLUSTER = "journey";
const CONFIG_MAP = "journey-settings";

function coreApi(kubeconfigPath: string): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config.makeApiClient(CoreV1Api);
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    return 0;
  }
}

async function kubectl(kubeconfigPath: string, ...args: string[]): Promise<string | null> {
  const onPath = await access("/usr/bin/kubectl").then(() => true, () => false);
  if (!onPath) return null;
  const { stdout } = await exec("kubectl", ["--kubeconfig", kubeconfigPath, ...args], { timeout: 30_000 });
  return stdout;
}

async function expectPhase(page: Page, phase: string): Promise<void> {
  await expect(page.locator("header").getByTestId("phase")).toHaveAttribute("data-phase", phase, { timeout: 90_000 });
}

test("a new user creates a virtual cluster, uses it, snapshots, suspends, resumes, restores and deletes it", async ({ page }) => {
  test.setTimeout(150_000);
  await page.goto("/signin");
  await screenshot(page, "signin");
  await signIn(page, ADMIN);

  await page.goto("/clusters");
  await expect(page.getByText("No virtual clusters yet")).toBeVisible();
  await screenshot(page, "clusters-empty");
  await page.getByRole("link", { name: "Create your first cluster" }).click();
  await expect(page.getByLabel("Project")).toHaveValue(/.+/);

  // Basics: the only project is chosen already; defaults are valid.
  await page.getByLabel("Name").fill(CLUSTER);
  await screenshot(page, "wizard-basics");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByLabel("CPU request")).toHaveValue("200m");
  await screenshot(page, "wizard-resources");
  await page.getByRole("button", { name: "Next" }).click();
  await screenshot(page, "wizard-network");
  await page.getByRole("button", { name: "Next" }).click();
  await screenshot(page, "wizard-storage");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Labels").fill("team=web");
  await screenshot(page, "wizard-advanced");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("review-spec")).toContainText(`name: ${CLUSTER}`);
  await expect(page.getByTestId("quota-preview")).toContainText("Virtual clusters");
  await screenshot(page, "wizard-review");
  await page.getByRole("button", { name: "Create cluster" }).click();

  await expect(page).toHaveURL(/\/clusters\/[^/]+$/);
  await expect(page.getByTestId("cluster-name")).toHaveText(CLUSTER);
  await expectPhase(page, "RUNNING");
  await screenshot(page, "cluster-running");
  const detailUrl = page.url();

  await page.goto("/clusters");
  const row = page.locator(`[data-testid=cluster-row][data-name=${CLUSTER}]`);
  await expect(row.getByTestId("phase")).toHaveText("RUNNING");
  await expect(row).toContainText("1/1");
  await screenshot(page, "clusters-list");
  await page.goto(detailUrl);

  const download = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-kubeconfig").click()]).then(([d]) => d);
  expect(download.suggestedFilename()).toBe(`${CLUSTER}.kubeconfig.yaml`);
  const kubeconfigPath = path.join(await mkdtemp(path.join(tmpdir(), "ovc-kubeconfig-")), download.suggestedFilename());
  await download.saveAs(kubeconfigPath);
  await expect(page.getByTestId("kubectl-command")).toHaveText(`kubectl --kubeconfig ${CLUSTER}.kubeconfig.yaml get namespaces`);
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByText("answers.")).toBeVisible();

  const api = coreApi(kubeconfigPath);
  const namespaces = await api.listNamespace();
  expect(namespaces.items.map((n) => n.metadata?.name)).toContain("default");
  await api.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: CONFIG_MAP }, data: { greeting: "hello" } } });
  const listed = await kubectl(kubeconfigPath, "get", "namespaces");
  if (listed !== null) expect(listed).toContain("default");
  const configMap = await kubectl(kubeconfigPath, "get", "configmap", CONFIG_MAP, "-o", "jsonpath={.data.greeting}");
  if (configMap !== null) expect(configMap).toBe("hello");

  await page.getByRole("button", { name: "Snapshot" }).click();
  await expect(page.locator("[data-testid=operation][data-kind=SNAPSHOT]")).toHaveAttribute("data-state", "SUCCEEDED", { timeout: 60_000 });
  await expectPhase(page, "RUNNING");

  await page.getByRole("button", { name: "Suspend" }).click();
  await screenshot(page, "cluster-suspend-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Suspend" }).click();
  await expectPhase(page, "SUSPENDED");
  await expect.poll(() => statusOf(api.listNamespace()), { timeout: 30_000 }).toBe(503);
  await screenshot(page, "cluster-suspended");

  await page.getByRole("button", { name: "Resume" }).click();
  await expectPhase(page, "RUNNING");
  await expect.poll(() => statusOf(api.listNamespace()), { timeout: 30_000 }).toBe(200);
  const kept = await api.readNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  expect(kept.data).toEqual({ greeting: "hello" });

  // Lose the ConfigMap, then get it back from the snapshot.
  await api.deleteNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  await page.getByRole("button", { name: "Restore" }).click();
  await page.getByRole("dialog").getByRole("radio").first().check();
  await screenshot(page, "cluster-restore-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
  await expect(page.locator("[data-testid=operation][data-kind=RESTORE]")).toHaveAttribute("data-state", "SUCCEEDED", { timeout: 60_000 });
  await expectPhase(page, "RUNNING");
  const restored = await api.readNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  expect(restored.data).toEqual({ greeting: "hello" });

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByLabel(`Type ${CLUSTER} to confirm`).fill(CLUSTER);
  await screenshot(page, "cluster-delete-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("cluster-gone")).toBeVisible({ timeout: 90_000 });
});
