import { localRecords } from "./support/device";
import { recordHelpRequest } from "./support/forms";
import { serverHelpRequests } from "./support/outbox";
import { violations } from "./support/axe";
import { ACCOUNTS, AppServer, apiAs, expect, navigateTo, openOnline, signIn, test } from "./support/server";
import { event, push } from "./support/seed";

const PHONE = "600 111 222";
const ADDRESS = "Sosnowa 9 m. 4";

/** Someone the organisers know, who signed a list with their phone: `tadeusz` on the list of `meeting`. */
async function someoneWhoSignedAList(server: AppServer): Promise<{ meeting: string; tadeusz: string }> {
  const organiser = await apiAs(server, ACCOUNTS.organiser.username);
  const meeting = await event(organiser.api, organiser.csrf, "Klub seniora", new Date(Date.now() + 86_400_000).toISOString(), ["goal_6"]);
  const tadeusz = crypto.randomUUID();
  await push(organiser.api, organiser.csrf, [
    {
      kind: "resident.create",
      payload: { resident_id: tadeusz, name: "Tadeusz Tajny", phone: PHONE, address: ADDRESS, district: "okolna", target_groups: [] },
    },
    {
      kind: "attendance.change",
      payload: {
        event_id: meeting,
        change: {
          change: "record",
          attendance_id: crypto.randomUUID(),
          attendee: { resident_id: tadeusz, name: "Tadeusz Tajny", phone: PHONE, district: "okolna" },
          proof: "signature",
          signature: { strokes: [[[100, 300], [160, 120], [220, 300]]] },
          image_consent: null,
          walk_in: false,
        },
      },
    },
  ]);
  await organiser.api.dispose();
  return { meeting, tadeusz };
}

test("a volunteer's phone holds the people of their own requests, and no one else's phone, address or signature", async ({ server, page }) => {
  // Someone the organisers know, who signed a list with their phone: none of it is the volunteer's work.
  const { meeting } = await someoneWhoSignedAList(server);
  const volunteer = await apiAs(server, ACCOUNTS.volunteer.username);
  await push(volunteer.api, volunteer.csrf, [
    {
      kind: "help_request.create",
      payload: { help_request_id: crypto.randomUUID(), resident_name: "Zofia Zielińska", district: "okolna", category: "shopping", description: "Zakupy" },
    },
  ]);
  await volunteer.api.dispose();

  await openOnline(page, server.url);
  await expect(page.getByTestId("request-card").filter({ hasText: "Zofia Zielińska" })).toBeVisible();
  const held = await localRecords(page, ["residents", "attendance", "help_requests"]);
  expect(held.residents.map((r) => r.name)).toEqual(["Zofia Zielińska"]);
  const everything = JSON.stringify(held);
  expect(everything).not.toContain(PHONE);
  expect(everything).not.toContain(ADDRESS);
  // The list still being taken shows who is on it, without their signature.
  expect(held.attendance).toHaveLength(1);
  expect(held.attendance[0].entries.map((e: { attendee: { name: string }; proof: string }) => [e.attendee.name, e.proof])).toEqual([["Tadeusz Tajny", "withheld"]]);
  expect(everything).not.toContain("strokes");

  await page.goto(`${server.url}/event?id=${meeting}`);
  await expect(page.getByTestId("attendance-row").filter({ hasText: "Tadeusz Tajny" })).toContainText("podpisano (podpis przechowują organizatorzy)");
});

test("a deactivated volunteer's phone sends what it had, then erases that account's data, and the coordinator sees it", async ({ server, page, context, browser }) => {
  await openOnline(page, server.url);
  await context.setOffline(true);
  await recordHelpRequest(page, { name: "Irena Kowalska", district: "okolna", category: "shopping", description: "Leki z apteki" });
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "1");

  const coordinator = await apiAs(server, ACCOUNTS.coordinator.username);
  const users: { id: string; username: string }[] = await (await coordinator.api.get("/api/v1/users")).json();
  const volunteer = users.find((u) => u.username === ACCOUNTS.volunteer.username)!;
  const deactivated = await coordinator.api.patch(`/api/v1/users/${volunteer.id}`, {
    data: { active: false },
    headers: { "x-csrf-token": coordinator.csrf },
  });
  expect(deactivated.status()).toBe(200);
  await coordinator.api.dispose();

  // The signal returns: the entry goes first, then the account's data leaves the phone.
  await context.setOffline(false);
  await expect(page.getByTestId("account-wiped")).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/login$/);
  expect((await serverHelpRequests(server)).map((r) => r.resident_name)).toContain("Irena Kowalska");
  expect(await page.evaluate(() => localStorage.getItem("sasiedzi.account"))).toBeNull();
  // The database goes once no tab holds it; its contents went before the server heard of the wipe.
  await expect
    .poll(() => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)))
    .not.toContain(`sasiedzi-${volunteer.id}`);

  const office = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const desk = await office.newPage();
  await signIn(desk, server.url, ACCOUNTS.coordinator.username);
  await desk.goto(`${server.url}/admin/users`);
  const card = desk.locator(`[data-testid="user-card"][data-username="${ACCOUNTS.volunteer.username}"]`);
  await expect(card.getByTestId("device-wipe")).toHaveAttribute("data-wiped", "true");
  await expect(card.getByTestId("device-wipe")).toContainText("dane usunięte");
  await card.screenshot({ path: test.info().outputPath("wiped-device.png") });
  await office.close();
});

test("what an organiser opens offline, a resident's details or the signatures on a list, reaches the audit log", async ({ server, page }) => {
  const { meeting, tadeusz } = await someoneWhoSignedAList(server);

  await openOnline(page, server.url, ACCOUNTS.organiser.username);
  await page.context().setOffline(true);
  await navigateTo(page, "Mieszkańcy");
  const card = page.getByTestId("resident-card").filter({ hasText: "Tadeusz Tajny" });
  // The list names the person; their phone and address show only once the opening is noted.
  await expect(card).not.toContainText(PHONE);
  await card.getByRole("button", { name: "Pokaż dane: Tadeusz Tajny" }).click();
  await expect(card.getByTestId("resident-details")).toContainText(PHONE);
  await expect(card.getByTestId("resident-details")).toContainText(ADDRESS);
  expect(await violations(page), "a resident's details opened").toEqual([]);
  await card.screenshot({ path: test.info().outputPath("resident-details.png") });

  await page.goto(`${server.url}/event?id=${meeting}`);
  const row = page.getByTestId("attendance-row").filter({ hasText: "Tadeusz Tajny" });
  await expect(row).toContainText("podpisano (podpis ukryty)");
  await expect(row.locator("svg.signature")).toHaveCount(0);
  await page.getByRole("button", { name: "Pokaż podpisy" }).click();
  await expect(row.locator("svg.signature")).toHaveCount(1);
  await page.getByTestId("attendance-table").screenshot({ path: test.info().outputPath("signatures-shown.png") });

  // Back online, the device reports both; the coordinator reads who opened what.
  await page.context().setOffline(false);
  await page.getByRole("button", { name: "Synchronizuj teraz" }).click();
  const coordinator = await apiAs(server, ACCOUNTS.coordinator.username);
  const opened = async (action: string) =>
    (await (await coordinator.api.get(`/api/v1/audit?action=${action}`)).json()).entries.map(
      (e: { actor: string; target: string }) => [e.actor, e.target],
    );
  await expect.poll(() => opened("resident_record_opened")).toEqual([[ACCOUNTS.organiser.username, tadeusz]]);
  await expect.poll(() => opened("signatures_opened")).toEqual([[ACCOUNTS.organiser.username, meeting]]);
  await coordinator.api.dispose();
});
