import { recordHelpRequest } from "./support/forms";
import { ACCOUNTS, expect, navigateTo, openOnline, signIn, test } from "./support/server";

const residents = [
  { name: "Anna Kowalska", district: "jedwabnik", category: "shopping", description: "Zakupy w czwartek rano" },
  { name: "Jan Nowak", district: "okolna", category: "transport", description: "Wizyta w przychodni 12.12" },
  { name: "Zofia Wiśniewska", district: "tbs", category: "companionship", description: "Rozmowa raz w tygodniu" },
];

test("help requests recorded offline survive a reload and reach a second device when the network returns", async ({
  server,
  page,
  context,
  browser,
}) => {
  await openOnline(page, server.url);

  // The signal is gone: no server, and the browser knows it is offline.
  await server.stop();
  await context.setOffline(true);

  for (const resident of residents) await recordHelpRequest(page, resident);
  const cards = page.getByTestId("request-card");
  await expect(cards).toHaveCount(3);
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "3");
  await expect(page.getByText("Do wysłania: 3")).toBeVisible();

  // Closing and reopening the app offline: the service worker serves it, IndexedDB has the entries.
  await page.reload();
  await expect(cards).toHaveCount(3);
  for (const resident of residents) await expect(cards.filter({ hasText: resident.name })).toHaveAttribute("data-sync", "pending");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "3");
  await expect(page.getByTestId("sync-phase")).toHaveAttribute("data-phase", "offline");

  // The network returns: the outbox drains by itself.
  await server.start();
  await context.setOffline(false);
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await expect(page.getByText("Wszystko wysłane")).toBeVisible();
  await expect(cards.and(page.locator('[data-sync="synced"]'))).toHaveCount(3);

  // The organiser's device sees all three, once each.
  const otherDevice = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 390, height: 844 } });
  const other = await otherDevice.newPage();
  await signIn(other, server.url, ACCOUNTS.organiser.username);
  const otherCards = other.getByTestId("request-card");
  await expect(otherCards).toHaveCount(3);
  for (const resident of residents) {
    await expect(otherCards.filter({ hasText: resident.name })).toContainText(resident.description);
  }
  await otherDevice.close();
});

test("a request that fails validation shows every problem in Polish and saves nothing", async ({ server, page }) => {
  await openOnline(page, `${server.url}/requests/new`);
  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByRole("alert")).toHaveText("Popraw zaznaczone pola.");
  await expect(page.getByText("To pole jest wymagane.")).toHaveCount(4);
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toBeFocused();
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toHaveAttribute("aria-invalid", "true");

  // Correcting one field keeps what was typed and leaves the rest marked.
  await page.getByLabel("Imię i nazwisko mieszkańca").fill("Anna");
  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByText("To pole jest wymagane.")).toHaveCount(3);
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toHaveValue("Anna");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
});

test("what was typed survives a reload before saving", async ({ server, page }) => {
  await openOnline(page, `${server.url}/requests/new`);
  await page.getByLabel("Imię i nazwisko mieszkańca").fill("Halina Zając");
  await page.getByLabel("Osiedle").selectOption("berliny");
  await page.getByLabel("Opis potrzeby").fill("Naprawa kranu");
  await page.reload();
  await expect(page.getByText("Przywrócono niezapisany szkic.")).toBeVisible();
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toHaveValue("Halina Zając");
  await expect(page.getByLabel("Osiedle")).toHaveValue("berliny");
  await expect(page.getByLabel("Opis potrzeby")).toHaveValue("Naprawa kranu");
});

test("the interface is Polish even in an English browser, and switches to English on request", async ({
  server,
  browser,
}) => {
  const context = await browser.newContext({ locale: "en-US", serviceWorkers: "allow" });
  const page = await context.newPage();
  await openOnline(page, server.url);
  await expect(page.locator("html")).toHaveAttribute("lang", "pl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Prośby o pomoc");
  await page.getByRole("button", { name: "Switch to English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Help requests");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Help requests");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await navigateTo(page, "New request");
  await expect(page.getByLabel("District")).toBeVisible();
  await expect(page.getByLabel("Kind of help").locator("option", { hasText: "Door-to-door transport" })).toHaveCount(1);
  await context.close();
});
