import { execFile } from "node:child_process";
import { access, mkdtemp, readFile } from "node:fs/promises";
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
const CLONE = "journey-clone";

/** The downloaded file as it is: the portal's access gateway (https, with the portal's CA) and the user's own token. */
async function connect(downloadedPath: string): Promise<{ api: CoreV1Api; kubeconfigPath: string }> {
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(downloadedPath, "utf8"));
  return { api: kc.makeApiClient(CoreV1Api), kubeconfigPath: downloadedPath };
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
  const onPath = await access("/usr/bin/kubectl").then(
    () => true,
    () => false,
  );
  if (!onPath) return null;
  const { stdout } = await exec("kubectl", ["--kubeconfig", kubeconfigPath, ...args], { timeout: 30_000 });
  return stdout;
}

async function expectPhase(page: Page, phase: string): Promise<void> {
  await expect(page.locator("header").getByTestId("phase")).toHaveAttribute("data-phase", phase, { timeout: 90_000 });
}

test("a new user creates a virtual cluster, uses it, snapshots, suspends, resumes, restores and deletes it", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const actions = page.getByTestId("cluster-actions");
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
  // the exact values file that will be installed, before anything is created
  await expect(page.getByRole("heading", { name: "Helm values" })).toBeVisible();
  const values = page.getByTestId("review-helm-values");
  await expect(values).toContainText("tag: v1.36.0");
  await expect(values).toContainText("volumeClaim:");
  await screenshot(page, "wizard-review");
  await page.getByRole("button", { name: "Create cluster" }).click();

  await expect(page).toHaveURL(/\/clusters\/[^/]+$/);
  await expect(page.getByTestId("cluster-name")).toHaveText(CLUSTER);
  await expectPhase(page, "RUNNING");
  await expect(page.getByTestId("chart-version")).toContainText("vcluster chart 0.36.1");
  await screenshot(page, "cluster-running");
  const detailUrl = page.url();

  await page.goto("/clusters");
  const row = page.locator(`[data-testid=cluster-row][data-name=${CLUSTER}]`);
  await expect(row.getByTestId("phase")).toHaveText("RUNNING");
  await expect(row).toContainText("1/1");
  await screenshot(page, "clusters-list");
  await page.goto(detailUrl);

  const download = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-kubeconfig").click(),
  ]).then(([d]) => d);
  expect(download.suggestedFilename()).toBe(`${CLUSTER}.kubeconfig.yaml`);
  const kubeconfigPath = path.join(await mkdtemp(path.join(tmpdir(), "ovc-kubeconfig-")), download.suggestedFilename());
  await download.saveAs(kubeconfigPath);
  await expect(page.getByTestId("kubectl-command")).toHaveText(
    `kubectl --kubeconfig ${CLUSTER}.kubeconfig.yaml get namespaces`,
  );
  const file = await readFile(kubeconfigPath, "utf8");
  expect(file).toMatch(new RegExp(`server: ${new URL(page.url()).origin.replace("http:", "https:")}/kube/[a-z0-9]+`));
  expect(file).toMatch(/token: ovck_/);
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByText("The virtual cluster's API answers (checked through the host).")).toBeVisible();

  const connected = await connect(kubeconfigPath);
  const api = connected.api;
  const namespaces = await api.listNamespace();
  expect(namespaces.items.map((n) => n.metadata?.name)).toContain("default");
  await api.createNamespacedConfigMap({
    namespace: "default",
    body: { metadata: { name: CONFIG_MAP }, data: { greeting: "hello" } },
  });
  const listed = await kubectl(connected.kubeconfigPath, "get", "namespaces");
  if (listed !== null) expect(listed).toContain("default");
  const configMap = await kubectl(
    connected.kubeconfigPath,
    "get",
    "configmap",
    CONFIG_MAP,
    "-o",
    "jsonpath={.data.greeting}",
  );
  if (configMap !== null) expect(configMap).toBe("hello");

  await actions.getByRole("button", { name: "Snapshot" }).click();
  await expect(page.locator("[data-testid=operation][data-kind=SNAPSHOT]")).toHaveAttribute("data-state", "SUCCEEDED", {
    timeout: 60_000,
  });
  await expectPhase(page, "RUNNING");

  await actions.getByRole("button", { name: "Suspend" }).click();
  await screenshot(page, "cluster-suspend-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Suspend" }).click();
  await expectPhase(page, "SUSPENDED");
  // suspended: the gateway answers 503 and says how to resume
  await expect.poll(() => statusOf(api.listNamespace()), { timeout: 30_000 }).toBe(503);
  const refused = await kubectl(connected.kubeconfigPath, "get", "namespaces").catch(
    (error: { stderr?: string }) => error.stderr ?? "",
  );
  if (refused !== null) expect(refused).toContain(`vcluster ${CLUSTER} is suspended: resume it`);
  await screenshot(page, "cluster-suspended");

  await actions.getByRole("button", { name: "Resume" }).click();
  await expectPhase(page, "RUNNING");
  await expect.poll(() => statusOf(api.listNamespace()), { timeout: 30_000 }).toBe(200);
  const kept = await api.readNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  expect(kept.data).toEqual({ greeting: "hello" });

  // Lose the ConfigMap, then get it back from the snapshot.
  await api.deleteNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  // The snapshot's preview names the ConfigMap that a restore would create again.
  const snapshots = page.getByTestId("cluster-snapshots");
  const snapshotRow = snapshots.getByTestId("snapshot-row").first();
  await expect(snapshotRow).toHaveAttribute("data-status", "READY");
  await snapshotRow.getByRole("button", { name: "Restore" }).click();
  const preview = page.getByTestId("restore-preview");
  await expect(preview.getByTestId("preview-create")).toContainText(CONFIG_MAP);
  await expect(preview.getByTestId("preview-delete")).toHaveAttribute("data-count", "0");
  await preview.getByLabel(/prune/).check();
  await expect(preview.getByTestId("preview-create")).toContainText(CONFIG_MAP);
  await screenshot(page, "cluster-restore-preview");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await actions.getByRole("button", { name: "Restore" }).click();
  await page.getByRole("dialog").getByRole("radio").first().check();
  await screenshot(page, "cluster-restore-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
  await expect(page.locator("[data-testid=operation][data-kind=RESTORE]")).toHaveAttribute("data-state", "SUCCEEDED", {
    timeout: 60_000,
  });
  await expectPhase(page, "RUNNING");
  const restored = await api.readNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  expect(restored.data).toEqual({ greeting: "hello" });

  // Rotating the token cuts the downloaded file at once; the next download works again.
  await page.getByTestId("rotate-kubeconfig").click();
  await page.getByTestId("confirm-rotate").click();
  await expect(page.getByText("Token rotated")).toBeVisible();
  await expect.poll(() => statusOf(api.listNamespace()), { timeout: 10_000 }).toBe(401);
  const again = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-kubeconfig").click(),
  ]).then(([d]) => d);
  await again.saveAs(kubeconfigPath);
  expect((await (await connect(kubeconfigPath)).api.listNamespace()).items.length).toBeGreaterThan(0);
  await expect(page.getByTestId("kube-access")).toContainText(`${ADMIN.email} (you)`);

  // Retention and schedule: a bad cron expression is refused on its field, then keep 2 daily at 03:00 UTC.
  const policy = page.getByTestId("snapshot-policy");
  await policy.getByLabel("Keep last").fill("2");
  await policy.getByLabel("Schedule (cron, UTC)").fill("0 3 * *");
  await policy.getByRole("button", { name: "Save schedule" }).click();
  await expect(page.locator("[data-field-error=policy-schedule]")).toContainText("five-field");
  await policy.getByLabel("Schedule (cron, UTC)").fill("0 3 * * *");
  await policy.getByRole("button", { name: "Save schedule" }).click();
  await expect(page.getByTestId("policy-next-run")).toContainText("T03:00:00Z");
  await expect(page.getByTestId("policy-next-run")).toContainText("Keeping the last 2");
  await screenshot(page, "cluster-snapshots");

  // Clone the snapshot into a new cluster: it comes up RUNNING with the ConfigMap in it.
  await snapshotRow.getByRole("button", { name: "Clone" }).click();
  await page.getByLabel("New cluster name").fill(CLONE);
  await page.getByRole("dialog").getByRole("button", { name: "Clone" }).click();
  await expect(page.getByTestId("cluster-name")).toHaveText(CLONE);
  await expectPhase(page, "RUNNING");
  const cloneDownload = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-kubeconfig").click(),
  ]).then(([d]) => d);
  const cloneKubeconfigPath = path.join(path.dirname(kubeconfigPath), cloneDownload.suggestedFilename());
  await cloneDownload.saveAs(cloneKubeconfigPath);
  const clone = await connect(cloneKubeconfigPath);
  const cloned = await clone.api.readNamespacedConfigMap({ namespace: "default", name: CONFIG_MAP });
  expect(cloned.data).toEqual({ greeting: "hello" });

  // Every snapshot on one page; delete the journey's.
  await page.goto("/snapshots");
  const journeySnapshot = page.locator("[data-testid=snapshot-row]").filter({ hasText: CLUSTER }).first();
  await expect(journeySnapshot).toHaveAttribute("data-status", "READY");
  await screenshot(page, "snapshots");
  const snapshotName = await journeySnapshot.getAttribute("data-name");
  await journeySnapshot.getByRole("button", { name: /Delete snapshot/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete snapshot" }).click();
  await expect(page.locator(`[data-testid=snapshot-row][data-name="${snapshotName}"]`)).toHaveCount(0, {
    timeout: 30_000,
  });
  await page.goto(detailUrl);
  await expectPhase(page, "RUNNING");

  await actions.getByRole("button", { name: "Delete" }).click();
  await page.getByLabel(`Type ${CLUSTER} to confirm`).fill(CLUSTER);
  await screenshot(page, "cluster-delete-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("cluster-gone")).toBeVisible({ timeout: 90_000 });
});
