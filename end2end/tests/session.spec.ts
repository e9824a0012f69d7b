import { Page } from "@playwright/test";
import { serverHelpRequestCount } from "./support/outbox";
import { ACCOUNTS, AppServer, BUILD, expect, navigateTo, openOnline, PASSWORD, signIn, test } from "./support/server";

async function recordHelpRequest(page: Page, name: string) {
  await navigateTo(page, "Nowa prośba");
  await page.getByLabel("Imię i nazwisko mieszkańca").fill(name);
  await page.getByLabel("Osiedle").selectOption("jedwabnik");
  await page.getByLabel("Rodzaj pomocy").selectOption("shopping");
  await page.getByLabel("Opis potrzeby").fill("Zakupy w piątek");
  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Zapisano prośbę na tym urządzeniu." })).toBeVisible();
}

/** The names of the databases this browser keeps, one per person who used it. */
async function localDatabases(page: Page) {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
}

test("a session that ends while offline loses nothing: after signing in again both entries reach the server once", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);

  // Offline, and meanwhile the session ends on the server (as after "sign out of all devices").
  await server.stop();
  await context.setOffline(true);
  server.cli("end-sessions", "--username", ACCOUNTS.volunteer.username);

  await recordHelpRequest(page, "Pani Halina");
  await recordHelpRequest(page, "Pan Bogdan");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "2");

  // Back online: the server refuses the stale session, the entries stay, the app says what to do.
  await server.start();
  await context.setOffline(false);
  await expect(page.getByTestId("session-expired")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "2");
  expect(await serverHelpRequestCount(server)).toBe(0);

  await page.getByTestId("session-expired").getByRole("link", { name: "Zaloguj się ponownie" }).click();
  await expect(page.getByLabel("Nazwa użytkownika")).toHaveValue(ACCOUNTS.volunteer.username);
  await page.getByLabel("Hasło").fill(PASSWORD);
  await page.getByRole("button", { name: "Zaloguj się" }).click();

  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await expect(page.getByTestId("request-card").and(page.locator('[data-sync="synced"]'))).toHaveCount(2);
  await expect(page.getByTestId("session-expired")).toBeHidden();
  expect(await serverHelpRequestCount(server)).toBe(2);
});

test("another person signing in on the same device never sees the previous person's entries", async ({ server, page }) => {
  await openOnline(page, server.url);
  await recordHelpRequest(page, "Pani Irena");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
  const firstDatabases = await localDatabases(page);
  expect(firstDatabases).toHaveLength(1);

  await navigateTo(page, ACCOUNTS.volunteer.displayName);
  await page.getByRole("button", { name: "Wyloguj się", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, server.url, ACCOUNTS.otherVolunteer.username);
  await expect(page.getByText("Nie ma jeszcze żadnych próśb.")).toBeVisible();
  await expect(page.getByTestId("request-card")).toHaveCount(0);
  // Everything was sent, so the first person's copy is gone from the device.
  await expect.poll(() => localDatabases(page)).not.toContain(firstDatabases[0]);
});

test("signing out with unsent entries warns and offers to send them first", async ({ server, page, context }) => {
  await openOnline(page, server.url);
  await server.stop();
  await context.setOffline(true);
  await recordHelpRequest(page, "Pan Zenon");

  await navigateTo(page, ACCOUNTS.volunteer.displayName);
  await page.getByRole("button", { name: "Wyloguj się", exact: true }).click();
  const warning = page.getByTestId("unsent-warning");
  await expect(warning).toContainText("1 niewysłane");
  await expect(page).toHaveURL(/\/account$/);

  await server.start();
  await context.setOffline(false);
  await warning.getByRole("button", { name: "Najpierw wyślij wpisy" }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await page.getByRole("button", { name: "Wyloguj się", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await serverHelpRequestCount(server)).toBe(1);
});

test("first start: the setup page creates the coordinator, who then adds a volunteer", async ({ page }) => {
  const server = await AppServer.create(BUILD, { withAccounts: false });
  try {
    // Every way into an empty install leads to setup: the address alone, a bookmarked page, the sign-in page.
    for (const path of ["/", "/requests/new", "/login"]) {
      await page.goto(`${server.url}${path}`);
      await expect(page).toHaveURL(/\/setup$/);
    }
    // A sign-in page reached all the same, inside the app (the name in the header leads home, and home
    // asks who is there), says why nobody can sign in yet and leads back to setup.
    await expect(page.getByLabel("Imię i nazwisko")).toBeEditable();
    await page.getByRole("banner").getByRole("link", { name: "Sąsiedzi" }).click();
    await expect(page.getByTestId("setup-required")).toContainText(
      "Nie ma jeszcze żadnego konta: najpierw trzeba utworzyć konto koordynatora.",
    );
    await page.getByTestId("setup-required").getByRole("link", { name: "Pierwsze uruchomienie" }).click();
    await expect(page).toHaveURL(/\/setup$/);
    await page.getByLabel("Imię i nazwisko").fill("Ewa Koordynator");
    await page.getByLabel("Nazwa użytkownika").fill("ewa");
    await page.getByLabel("Nowe hasło").fill("krótkie");
    await page.getByLabel("Powtórz hasło").fill("krótkie");
    await page.getByRole("button", { name: "Utwórz konto koordynatora" }).click();
    await expect(page.locator("#password-error")).toHaveText("Co najmniej 10 znaków.");
    await expect(page.getByLabel("Nowe hasło")).toBeFocused();
    await page.getByLabel("Nowe hasło").fill(PASSWORD);
    await page.getByLabel("Powtórz hasło").fill(PASSWORD);
    await page.getByRole("button", { name: "Utwórz konto koordynatora" }).click();

    await expect(page.getByRole("heading", { level: 1, name: "Użytkownicy" })).toBeVisible();
    const form = page.locator("#new-account");
    await form.getByLabel("Imię i nazwisko").fill("Wiktor Wolontariusz");
    await form.getByLabel("Nazwa użytkownika").fill("wiktor");
    await form.getByLabel("Hasło tymczasowe").fill("tymczasowe hasło 1");
    await form.getByRole("button", { name: "Utwórz konto" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Utworzono konto wiktor" })).toBeVisible();
    await expect(page.getByTestId("user-card").filter({ hasText: "wiktor" })).toContainText("wolontariusz");

    // The setup page is gone for good.
    await page.goto(`${server.url}/setup`);
    await expect(page).toHaveURL(/\/login$/);
  } finally {
    await server.dispose();
  }
});

test("an organiser enrols a tablet as the kiosk of one event with a code; the tablet shows only that event", async ({
  server,
  page,
  browser,
}) => {
  await signIn(page, server.url, ACCOUNTS.organiser.username);
  await navigateTo(page, "Wydarzenia");
  await page.getByRole("link", { name: "Nowe wydarzenie" }).click();
  await page.getByLabel("Nazwa wydarzenia").fill("Klub seniora");
  await page.getByLabel("Początek").fill("2026-11-22T10:00");
  await page.getByLabel("Koniec").fill("2026-11-22T12:00");
  await page.getByLabel("Miejsce").selectOption("brzozowa_7");
  await page.getByLabel(/^3\. Tworzenie i stymulowanie/).check();
  await page.getByRole("button", { name: "Zapisz wydarzenie" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Klub seniora" })).toBeVisible();
  await navigateTo(page, "Kioski");
  await page.getByTestId("event-card").filter({ hasText: "Klub seniora" }).getByRole("button", { name: "Włącz tablet jako kiosk" }).click();
  const shown = page.getByTestId("enrolment-code");
  await expect(shown.locator("svg")).toBeVisible();
  const code = (await shown.locator("[data-code]").getAttribute("data-code"))!;

  const tablet = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1024, height: 768 } });
  const kiosk = await tablet.newPage();
  await kiosk.goto(`${server.url}/kiosk`);
  await kiosk.getByLabel("Kod z ekranu organizatora").fill(`${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase());
  await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
  await expect(kiosk.getByTestId("kiosk-ready")).toContainText("Klub seniora");
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  await expect(kiosk.getByRole("navigation")).toHaveCount(0);
  // Nothing else to open: any other page sends the kiosk back.
  await kiosk.goto(`${server.url}/requests/new`);
  await expect(kiosk).toHaveURL(/\/kiosk$/);
  const pull = await kiosk.request.get(`${server.url}/api/v1/sync/pull`);
  expect(pull.status()).toBe(403);

  await page.reload();
  await expect(page.getByTestId("enrolment-card")).toContainText("tablet połączony");
  await page.getByTestId("enrolment-card").getByRole("button", { name: "Odłącz" }).click();
  await expect(page.getByTestId("enrolment-card")).toHaveCount(0);
  await kiosk.reload();
  await expect(kiosk.getByLabel("Kod z ekranu organizatora")).toBeVisible();
  await tablet.close();
});
