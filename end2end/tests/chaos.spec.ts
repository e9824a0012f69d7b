// Faults a phone meets in the field, with the real app and the real IndexedDB: the server dying between
// its commit and its answer, a tab closed in the middle of a pull, two tabs syncing one outbox, signing out
// with entries the server refused. Each ends with nothing lost, checked on the server (API) and on the
// device (its store and its screen).
import { Page, Route } from "@playwright/test";
import { localRecords } from "./support/device";
import { recordHelpRequest } from "./support/forms";
import { serverHelpRequests } from "./support/outbox";
import { push } from "./support/seed";
import { ACCOUNTS, apiAs, expect, navigateTo, openOnline, signIn, test } from "./support/server";

const request = (name: string, district = "jedwabnik") => ({ name, district, category: "shopping", description: `Zakupy dla: ${name}` });

/** The names of the help requests on the server, sorted: each entry once means no name twice. */
async function namesOnServer(server: Parameters<typeof serverHelpRequests>[0]) {
  return (await serverHelpRequests(server)).map((r) => r.resident_name).sort();
}

/** The device's outbox, straight from its store. */
async function outbox(page: Page) {
  return (await localRecords(page, ["outbox"])).outbox;
}

test("the server dies after committing a push, before its answer: after the restart every entry is on it once and the outbox is empty", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);
  await server.stop();
  await context.setOffline(true);
  const names = ["Anna Kowalska", "Jan Nowak", "Zofia Wiśniewska"];
  for (const name of names) await recordHelpRequest(page, request(name));
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "3");

  // The first push reaches the server, which commits it and dies before the answer leaves.
  const pushes: { ids: string[]; outcomes?: string[] }[] = [];
  await page.route("**/api/v1/sync/push", async (route) => {
    const ids = route.request().postDataJSON().mutations.map((m: { id: string }) => m.id);
    if (pushes.length === 0) {
      pushes.push({ ids });
      await route.fetch();
      await server.stop();
      return route.abort("connectionreset");
    }
    // While the server is down, the attempts get no answer, as they would without the test.
    const response = await route.fetch().catch(() => undefined);
    if (response === undefined) return route.abort("connectionrefused");
    const answer = await response.json();
    pushes.push({ ids, outcomes: answer.results.map((r: { outcome: string }) => r.outcome) });
    await route.fulfill({ response, json: answer });
  });
  await server.start();
  await context.setOffline(false);
  await expect.poll(() => pushes.length, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId("sync-phase")).toHaveAttribute("data-phase", "offline");
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "3");

  await server.start();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await expect(page.getByTestId("request-card").and(page.locator('[data-sync="synced"]'))).toHaveCount(3);
  expect(await outbox(page)).toEqual([]);
  // The device sent the same entries again, and the server answered them as the changes it already had.
  expect(pushes[1].ids).toEqual(pushes[0].ids);
  expect(pushes[1].outcomes).toEqual(["applied", "applied", "applied"]);
  expect(await namesOnServer(server)).toEqual([...names].sort());
});

test("a tab closed in the middle of a pull: reopened, it carries on from the page it kept and ends with every record once", async ({
  server,
  page,
  context,
}) => {
  // More requests than one pull page holds (200 changes), recorded on other devices.
  const COUNT = 230;
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const mutations = Array.from({ length: COUNT }, (_, n) => ({
    kind: "help_request.create",
    payload: {
      help_request_id: crypto.randomUUID(),
      resident_name: `Mieszkaniec ${String(n).padStart(3, "0")}`,
      district: "okolna",
      category: "shopping",
      description: "Zakupy",
    },
  }));
  await push(api, csrf, mutations.slice(0, 200));
  await push(api, csrf, mutations.slice(200));
  await api.dispose();

  // The first page arrives; the second is held, and the tab is closed while it waits.
  const pulls: { since: number; next?: number }[] = [];
  let held: Route | undefined;
  await context.route("**/api/v1/sync/pull?*", async (route) => {
    const since = Number(new URL(route.request().url()).searchParams.get("since"));
    if (since !== 0 && held === undefined) {
      pulls.push({ since });
      held = route;
      return;
    }
    const response = await route.fetch();
    const answer = await response.json();
    pulls.push({ since, next: answer.next_cursor });
    await route.fulfill({ response, json: answer });
  });
  await signIn(page, server.url, ACCOUNTS.organiser.username);
  await expect.poll(() => held !== undefined, { timeout: 30_000 }).toBe(true);
  await page.close();
  await held!.abort().catch(() => {});

  const reopened = await context.newPage();
  await reopened.goto(server.url);
  await expect(reopened.getByTestId("last-sync")).toHaveAttribute("data-synced", "true", { timeout: 30_000 });
  await expect(reopened.getByTestId("request-count")).toHaveText(`Pokazano ${COUNT} z ${COUNT}`);
  // The reopened tab asked for what followed the page it had stored, not for everything again.
  const [first, cut, resumed] = pulls;
  expect(first.since).toBe(0);
  expect(cut.since).toBe(first.next);
  expect(resumed.since).toBe(first.next);

  const stored = (await localRecords(reopened, ["help_requests"])).help_requests;
  const names = stored.map((r) => r.resident_name).sort();
  expect(names).toEqual(mutations.map((m) => m.payload.resident_name).sort());
  expect(names).toEqual(await namesOnServer(server));
});

test("two tabs of one device record offline and sync together: every entry reaches the server once", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);
  const second = await context.newPage();
  await second.goto(server.url);
  await expect(second.getByTestId("last-sync")).toHaveAttribute("data-synced", "true");

  await server.stop();
  await context.setOffline(true);
  const names = ["Anna Kowalska", "Jan Nowak", "Zofia Wiśniewska", "Piotr Zieliński"];
  for (const [n, name] of names.entries()) await recordHelpRequest(n % 2 === 0 ? page : second, request(name));

  await server.start();
  await context.setOffline(false);
  for (const tab of [page, second]) {
    await expect(tab.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  }
  expect(await outbox(page)).toEqual([]);
  expect(await namesOnServer(server)).toEqual([...names].sort());
  // Each tab shows all four, sent: what the other tab typed arrives with the next look at the store.
  for (const tab of [page, second]) {
    await tab.reload();
    await expect(tab.getByTestId("request-card").and(tab.locator('[data-sync="synced"]'))).toHaveCount(4);
  }
});

test("signing out with an entry the server refused keeps it and says so; signed in again, it is still there, refused, and corrected it reaches the server", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);
  await server.stop();
  await context.setOffline(true);
  await recordHelpRequest(page, request("Halina Zając", "tbs"));
  await recordHelpRequest(page, request("Bogdan Wrona", "jedwabnik"));

  // Meanwhile the coordinator retires the district the first request names.
  await server.start();
  const coordinator = await apiAs(server, ACCOUNTS.coordinator.username);
  const pulled = await (await coordinator.api.get("/api/v1/sync/pull?since=0&limit=1000")).json();
  const tbs = pulled.changes.find((c: { entity: string; data: { kind: string; code: string } }) => c.entity === "dictionary_entry" && c.data.code === "tbs").data;
  const retired = await coordinator.api.put("/api/v1/dictionary/district/tbs", {
    headers: { "x-csrf-token": coordinator.csrf },
    data: { label_pl: tbs.label_pl, label_en: tbs.label_en, active: false },
  });
  expect(retired.status()).toBe(200);
  await coordinator.api.dispose();

  await context.setOffline(false);
  const cards = page.getByTestId("request-card");
  await expect(cards.filter({ hasText: "Bogdan Wrona" })).toHaveAttribute("data-sync", "synced", { timeout: 30_000 });
  const refused = cards.filter({ hasText: "Halina Zając" });
  await expect(refused).toHaveAttribute("data-sync", "rejected");
  await expect(refused).toContainText("Serwer nie przyjął wpisu");
  expect(await namesOnServer(server)).toEqual(["Bogdan Wrona"]);

  // Signing out warns that one entry has not reached the server and stays on the device.
  await navigateTo(page, ACCOUNTS.volunteer.displayName);
  await page.getByRole("button", { name: "Wyloguj się", exact: true }).click();
  const warning = page.getByTestId("unsent-warning");
  await expect(warning).toContainText("Na tym urządzeniu są 1 niewysłane wpisy. Po wylogowaniu zostaną tu zaszyfrowane do Twojego następnego logowania");
  await warning.getByRole("button", { name: "Wyloguj mimo to" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Back again: the refused request is still there, marked, with its outbox entry and the reason.
  await signIn(page, server.url);
  await expect(refused).toHaveAttribute("data-sync", "rejected");
  await expect(refused).toContainText("Serwer nie przyjął wpisu");
  await expect(cards.filter({ hasText: "Bogdan Wrona" })).toHaveAttribute("data-sync", "synced");
  const kept = await outbox(page);
  expect(kept).toHaveLength(1);
  expect(kept[0].mutation.payload.resident_name).toBe("Halina Zając");
  expect(kept[0].state.state).toBe("rejected");
  expect(await namesOnServer(server)).toEqual(["Bogdan Wrona"]);

  // Its person corrects it in the form: the request goes to the server again, as new, and arrives.
  await refused.getByRole("link", { name: "Halina Zając" }).click();
  await expect(page.getByTestId("refused-entry")).toContainText("Popraw wpis i zapisz");
  await page.getByRole("link", { name: "Popraw prośbę" }).click();
  await page.getByLabel("Osiedle").selectOption("jedwabnik");
  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByTestId("refused-entry")).toHaveCount(0);
  await page.getByRole("button", { name: "Synchronizuj teraz" }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 20_000 });
  expect(await outbox(page)).toEqual([]);
  expect(await namesOnServer(server)).toEqual(["Bogdan Wrona", "Halina Zając"]);
});
