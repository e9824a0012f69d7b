import { readFileSync } from "node:fs";
import { violations } from "./support/axe";
import { ACCOUNTS, apiAs, expect, navigateTo, signIn, test } from "./support/server";
import { approve, event, onPaper, push } from "./support/seed";

/**
 * The fixture: three meetings in 2026 (the May list not yet approved), Anna at two of them, a walk-in,
 * and one help request still waiting for approval.
 */
async function seed(server: Parameters<typeof apiAs>[0]) {
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const [anna, bogdan] = [crypto.randomUUID(), crypto.randomUUID()];
  await push(api, csrf, [
    { kind: "resident.create", payload: { resident_id: anna, name: "Anna Żółkiewska", district: "okolna", target_groups: ["seniors"] } },
    { kind: "resident.create", payload: { resident_id: bogdan, name: "Bogdan Nowak", district: "okolna", target_groups: ["youth"] } },
  ]);
  const march = await event(api, csrf, "Klub seniora", "2026-03-10T16:00:00Z", ["goal_3"]);
  const april = await event(api, csrf, "Kawiarenka sąsiedzka", "2026-04-14T16:00:00Z", ["goal_3", "goal_6"]);
  const may = await event(api, csrf, "Warsztaty", "2026-05-05T15:00:00Z", ["goal_6"]);
  await push(api, csrf, [
    onPaper(march, "Anna Żółkiewska", anna),
    onPaper(march, "Bogdan Nowak", bogdan),
    approve(march),
    onPaper(april, "Anna Żółkiewska", anna),
    onPaper(april, "Zofia Ćwik"),
    approve(april),
    onPaper(may, "Bogdan Nowak", bogdan),
  ]);
  await api.dispose();
  const volunteer = await apiAs(server, ACCOUNTS.volunteer.username);
  await push(volunteer.api, volunteer.csrf, [
    {
      kind: "help_request.create",
      recorded_at: "2026-02-02T09:00:00Z",
      payload: {
        help_request_id: crypto.randomUUID(),
        resident_name: "Anna Żółkiewska",
        resident_id: anna,
        district: "jedwabnik",
        category: "shopping",
        description: "Zakupy: chleb, mleko",
      },
    },
  ]);
  await volunteer.api.dispose();
}

test("the dashboard counts the fixture's year, includes unapproved entries on request, and exports download", async ({
  server,
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await seed(server);
  await signIn(page, server.url, ACCOUNTS.organiser.username);
  await navigateTo(page, "Raporty");
  await expect(page.getByRole("heading", { level: 1, name: "Raporty i eksport danych" })).toBeVisible();

  await page.getByLabel("Od dnia").fill("2026-01-01");
  await page.getByLabel("Do dnia").fill("2026-12-31");
  await page.getByRole("button", { name: "Pokaż" }).click();
  await expect(page.getByText("Okres: 01.01.2026 – 31.12.2026.")).toBeVisible();
  await expect(page.getByTestId("report-events")).toHaveText("3");
  await expect(page.getByTestId("report-attendances")).toHaveText("4");
  await expect(page.getByTestId("report-unique")).toHaveText("3");
  await expect(page.getByTestId("report-requests")).toHaveText("0");
  // The May list and the help request wait for an organiser.
  await expect(page.getByTestId("report-awaiting")).toHaveText("2");
  await expect(page.getByTestId("report-unapproved-excluded")).toHaveText(
    "Liczby obejmują tylko wpisy zatwierdzone; nie liczymy wpisów czekających na akceptację: 2.",
  );
  const goals = page.getByTestId("report-goals");
  await expect(goals.getByTestId("goal-goal_3").getByRole("cell")).toHaveText(["2", "4", "3"]);
  await expect(goals.getByTestId("goal-goal_6").getByRole("cell")).toHaveText(["2", "2", "2"]);
  await expect(page.getByTestId("chart-months").getByRole("row", { name: /kwiecień 2026/ })).toContainText("2");
  expect(await violations(page), "dashboard").toEqual([]);

  await page.getByLabel("Uwzględnij wpisy jeszcze niezatwierdzone").check();
  await page.getByRole("button", { name: "Pokaż" }).click();
  await expect(page.getByText("Liczby obejmują także wpisy niezatwierdzone.")).toBeVisible();
  await expect(page.getByTestId("report-unapproved-excluded")).toHaveCount(0);
  await expect(page.getByTestId("report-attendances")).toHaveText("5");
  await expect(page.getByTestId("report-requests")).toHaveText("1");
  await expect(page.getByTestId("chart-category").getByRole("row", { name: /Zakupy/ })).toContainText("1");

  // A period that ends before it starts is refused with a message, and the numbers shown stay.
  await page.getByLabel("Do dnia").fill("2025-12-31");
  await page.getByRole("button", { name: "Pokaż" }).click();
  await expect(page.getByText("Data końcowa jest wcześniejsza niż początkowa.")).toBeVisible();
  await expect(page.getByLabel("Od dnia")).toBeFocused();
  await expect(page.getByTestId("report-attendances")).toHaveText("5");

  // Organisers do not get the residents registry; the spreadsheets download.
  await expect(page.getByTestId("export-residents-csv")).toHaveCount(0);
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-attendance-xlsx").click()]);
  expect(xlsx.suggestedFilename()).toBe("obecnosci-2026-01-01-2026-12-31.xlsx");
  const workbook = readFileSync(await xlsx.path());
  expect(workbook.subarray(0, 2).toString()).toBe("PK");
  expect(workbook.length).toBeGreaterThan(4000);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-requests-csv").click()]);
  const text = readFileSync(await csv.path(), "utf8");
  expect(text.trim().split("\n")).toHaveLength(2);
  expect(text).toContain('"Zakupy: chleb, mleko"');
  expect(text).toContain("Anna Żółkiewska");

  const [pack] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-evidence_pack-zip").click()]);
  expect(pack.suggestedFilename()).toBe("teczka-dokumentacji-2026-01-01-2026-12-31.zip");
  const zip = readFileSync(await pack.path());
  expect(zip.subarray(0, 2).toString()).toBe("PK");
  // Three sheets (the May list is included on request) are named inside the archive.
  expect(zip.includes("listy-obecnosci/003-2026-05-05-warsztaty.html")).toBe(true);

  // Printed, the dashboard drops the form and the exports.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("button", { name: "Pokaż" })).toBeHidden();
  await page.screenshot({ path: testInfo.outputPath("dashboard-print.png"), fullPage: true });
});

test("a coordinator can export the residents registry, and the download is in the audit log", async ({ server, page }) => {
  await seed(server);
  await signIn(page, server.url, ACCOUNTS.coordinator.username);
  await navigateTo(page, "Raporty");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-residents-csv").click()]);
  const text = readFileSync(await csv.path(), "utf8");
  expect(text).toContain("Bogdan Nowak");
  await navigateTo(page, "Dziennik zdarzeń");
  await page.getByLabel("Zdarzenie").selectOption("export_downloaded");
  await page.getByRole("button", { name: "Filtruj" }).click();
  await expect(page.getByRole("row").filter({ hasText: "Pobranie eksportu" })).toHaveCount(1);
});
