import { expect, test } from "@playwright/test";
import { ADMIN, OWNER, VIEWER } from "./support/accounts";
import { screenshot, signIn } from "./support/portal";

test("an admin adds an owner at once; that owner invites by email and learns nothing about the account; the invitee accepts and joins", async ({
  browser,
}) => {
  const admin = await browser.newPage();
  await signIn(admin, ADMIN);
  await admin.goto("/admin");
  await admin.getByLabel("Slug").fill("team");
  await admin.getByLabel("Project name").fill("Team");
  await admin.getByRole("button", { name: "Create project" }).click();
  await admin.getByRole("link", { name: "Team" }).click();
  await expect(admin.getByRole("heading", { name: "Members" })).toBeVisible();
  await admin.getByLabel("Add by email").fill(OWNER.email);
  await admin.getByLabel("Role of the new member").selectOption("OWNER");
  await admin.getByRole("button", { name: "Add member" }).click();
  await expect(admin.getByText(`Added ${OWNER.email} as OWNER`)).toBeVisible();
  // the member's own row (its role control), not the toast that names the same email
  await expect(admin.getByLabel(`Role of ${OWNER.email}`)).toHaveValue("OWNER");
  await admin.close();

  const owner = await browser.newPage();
  await signIn(owner, OWNER);
  await owner.goto("/projects");
  await owner.getByRole("link", { name: "Team" }).click();
  await expect(owner.getByRole("heading", { name: "Members" })).toBeVisible();
  const invite = async (email: string) => {
    await owner.getByLabel("Add by email").fill(email);
    await owner.getByLabel("Role of the new member").selectOption("MEMBER");
    await owner.getByRole("button", { name: "Add member" }).click();
    await expect(owner.getByText(`Invited ${email} as MEMBER; they join when they accept`)).toBeVisible();
  };
  // an account that exists and one that does not get the same answer
  await invite(VIEWER.email);
  await invite("not-yet-here@example.com");
  const pending = owner.getByRole("region", { name: "Pending invitations" });
  await expect(pending.getByRole("listitem")).toHaveCount(2);
  await screenshot(owner, "project-invitations");
  await pending
    .getByRole("listitem")
    .filter({ hasText: "not-yet-here@example.com" })
    .getByRole("button", { name: "Withdraw" })
    .click();
  await expect(pending.getByRole("listitem")).toHaveCount(1);
  await owner.close();

  const invitee = await browser.newPage();
  await signIn(invitee, VIEWER);
  await invitee.goto("/projects");
  const mine = invitee.getByRole("region", { name: "Your invitations" });
  await expect(mine).toContainText("Team as MEMBER");
  await expect(mine).toContainText(`from ${OWNER.email}`);
  await mine.getByRole("button", { name: "Accept" }).click();
  await expect(invitee.getByText("Joined as MEMBER")).toBeVisible();
  await expect(mine).toHaveCount(0);
  await expect(invitee.getByRole("link", { name: "Team" })).toBeVisible();
  await expect(invitee.getByText("team · your role: MEMBER")).toBeVisible();
  await invitee.close();
});
