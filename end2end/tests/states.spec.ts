import { push } from "./support/seed";
import { ACCOUNTS, apiAs, expect, navigateTo, openOnline, signIn, test } from "./support/server";

/** Requests already on the server when a new device signs in: a centre after a year of work. */
const ON_SERVER = 2000;
/** Records per pull (`DEFAULT_PULL_LIMIT` in domain/src/sync/protocol.rs). */
const PULL_LIMIT = 200;

test("a first sync of a large centre says it is downloading, with progress, never that there is nothing", async ({
  server,
  page,
}) => {
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  for (let start = 0; start < ON_SERVER; start += PULL_LIMIT) {
    const requests = Array.from({ length: PULL_LIMIT }, (_, i) => ({
      kind: "help_request.create",
      payload: {
        help_request_id: crypto.randomUUID(),
        resident_name: `Mieszkaniec ${start + i}`,
        district: "jedwabnik",
        category: "shopping",
        description: "Zakupy na tydzień",
      },
    }));
    await push(api, csrf, requests);
  }
  await api.dispose();

  // The third page of the download waits until the list has been seen half-way.
  let pulls = 0;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/sync/pull?*", async (route) => {
    pulls += 1;
    if (pulls === 3) await held;
    await route.continue();
  });
  await signIn(page, server.url, ACCOUNTS.organiser.username);
  await expect(page.getByTestId("first-sync")).toHaveText(
    `Pobieranie danych z serwera (pierwsza synchronizacja tego urządzenia)… Pobrano wpisów: ${2 * PULL_LIMIT}.`,
  );
  await expect(page.getByText("Nie ma jeszcze żadnych próśb.")).toHaveCount(0);
  // Nothing is said to be sent before the device has synced once.
  await expect(page.getByTestId("sync-summary")).toHaveText("Jeszcze nie zsynchronizowano");
  release();
  await expect(page.getByTestId("request-count")).toHaveText(new RegExp(`z ${ON_SERVER}$`));
  await expect(page.getByTestId("first-sync")).toHaveCount(0);
  await expect(page.getByTestId("sync-summary")).toContainText("Wszystko wysłane · Zsynchronizowano");
});

test("a page that needs the server says so offline, instead of showing an empty list", async ({ server, page, context }) => {
  await openOnline(page, server.url, ACCOUNTS.organiser.username);
  await context.setOffline(true);
  await navigateTo(page, "Kioski");
  await expect(page.getByTestId("needs-network")).toContainText(
    "Ta strona wymaga połączenia z serwerem, a tego urządzenia nie ma teraz w sieci.",
  );
  await expect(page.getByText("Nie ma jeszcze wydarzeń. Dodaj pierwsze.")).toHaveCount(0);
  await expect(page.getByText("Żaden tablet nie jest teraz kioskiem.")).toHaveCount(0);

  // Back online, trying again shows the page.
  await context.setOffline(false);
  await page.getByRole("button", { name: "Spróbuj ponownie" }).click();
  await expect(page.getByText("Nie ma jeszcze wydarzeń. Dodaj pierwsze.")).toBeVisible();
  await expect(page.getByTestId("needs-network")).toHaveCount(0);
});

test("every page a coordinator opens that only the server can fill says offline that it needs the network", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url, ACCOUNTS.coordinator.username);
  await context.setOffline(true);
  for (const name of ["Użytkownicy", "Dziennik zdarzeń", "Raporty", "Ustawienia", "Kioski"]) {
    await navigateTo(page, name);
    // A page of several server-filled sections (Ustawienia) says it in each of them.
    await expect(page.getByTestId("needs-network").first(), name).toBeVisible();
    for (const notice of await page.getByTestId("needs-network").all()) {
      await expect(notice, name).toContainText("Ta strona wymaga połączenia z serwerem");
    }
    // Not "loading" for ever, and no empty list.
    await expect(page.getByText("Wczytywanie…"), name).toHaveCount(0);
    await expect(page.getByText("Brak zdarzeń dla tych filtrów."), name).toHaveCount(0);
  }
  await context.setOffline(false);
  await page.getByRole("button", { name: "Spróbuj ponownie" }).click();
  await expect(page.getByTestId("needs-network")).toHaveCount(0);
});

test("an organiser who opens the coordinator's users page is told it is not theirs, and offered no form", async ({
  server,
  page,
}) => {
  await openOnline(page, server.url, ACCOUNTS.organiser.username);
  await page.goto(`${server.url}/admin/users`);
  await expect(page.getByTestId("page-not-allowed")).toHaveText(
    "Tę stronę otwiera koordynator. Twoja rola nie daje do niej dostępu.",
  );
  await expect(page.locator("#new-account")).toHaveCount(0);
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a form whose lists have not reached the device yet says so, and keeps what was typed until they arrive", async ({
  server,
  page,
}) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/sync/pull?*", async (route) => {
    await held;
    await route.continue();
  });
  await signIn(page, server.url, ACCOUNTS.volunteer.username);
  await navigateTo(page, "Nowa prośba");
  await page.getByLabel("Imię i nazwisko mieszkańca").fill("Pani Irena");
  for (const field of ["#district-hint", "#category-hint"]) {
    await expect(page.locator(field)).toHaveText(
      "Ta lista jeszcze nie dotarła na to urządzenie. Pojawi się po pierwszej synchronizacji z serwerem (potrzebne połączenie z siecią); to, co już wpisano, zostaje.",
    );
  }
  release();
  await expect(page.locator("#district-hint")).toBeHidden();
  await page.getByLabel("Osiedle").selectOption("jedwabnik");
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toHaveValue("Pani Irena");
});
