import { Page } from "@playwright/test";
import { violations } from "./support/axe";
import { localRecords, storageDump } from "./support/device";
import { recordHelpRequest } from "./support/forms";
import { serverHelpRequests } from "./support/outbox";
import { ACCOUNTS, PASSWORD, PIN, apiAs, expect, lockApp, navigateTo, openOnline, test, unlockByHand } from "./support/server";

// Issue 20: a person's data on the device is sealed under a key that only their PIN (offline) or a
// sign-in with their password (online) opens; the app locks itself when left idle.

const RESIDENT = { name: "Teodora Tajemnicza", district: "okolna", category: "shopping", description: "Zakupy dla pani Teodory", place: "Okólna 17 m. 3" };

const lockScreen = (page: Page) => page.getByRole("dialog", { name: "Aplikacja zablokowana" });

async function typePin(page: Page, pin: string) {
  await lockScreen(page).getByLabel("PIN", { exact: true }).fill(pin);
  await lockScreen(page).getByRole("button", { name: "Odblokuj" }).click();
}

test("a locked phone keeps no resident's name, address or draft readable in its storage, also after signing out with entries unsent", async ({ server, page, context }) => {
  await openOnline(page, server.url);
  await context.setOffline(true);
  await recordHelpRequest(page, RESIDENT);
  // A second request half typed: its draft waits on the device.
  await navigateTo(page, "Nowa prośba");
  await page.getByLabel("Imię i nazwisko mieszkańca").fill("Dobrosław Szkicowy");
  await page.getByLabel("Opis potrzeby").fill("Szkic: transport do przychodni");

  await unlockByHand(page);
  await lockApp(page);
  await expect(lockScreen(page)).toBeVisible();
  await expect(lockScreen(page).getByLabel("PIN", { exact: true })).toBeFocused();
  await page.screenshot({ path: test.info().outputPath("locked.png"), fullPage: true });
  expect(await violations(page), "the lock screen").toEqual([]);

  const locked = await storageDump(page);
  for (const secret of ["Teodora", "Okólna 17", "Zakupy dla", "Dobrosław", "transport do przychodni", PIN]) {
    expect(locked, `${secret} readable in storage`).not.toContain(secret);
  }
  // Not because nothing was kept: with the PIN, the same storage opens to the entries.
  const opened = await localRecords(page, ["help_requests", "outbox"]);
  expect(opened.help_requests.map((r) => [r.resident_name, r.place])).toEqual([[RESIDENT.name, RESIDENT.place]]);
  expect(opened.outbox).toHaveLength(1);

  // The draft comes back after the unlock, still offline.
  await typePin(page, PIN);
  await expect(lockScreen(page)).toBeHidden();
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toHaveValue("Dobrosław Szkicowy");

  // Online only to sign out; "sign out anyway" keeps the unsent entry, sealed, and says so.
  await context.route("**/api/v1/sync/push", (route) => route.abort("connectionreset"));
  await context.setOffline(false);
  await navigateTo(page, ACCOUNTS.volunteer.displayName);
  await page.getByRole("button", { name: "Wyloguj się", exact: true }).click();
  const warning = page.getByTestId("unsent-warning");
  await expect(warning).toContainText("zostaną tu zaszyfrowane do Twojego następnego logowania: bez Twojego PIN-u lub hasła nikt ich nie odczyta");
  await warning.getByRole("button", { name: "Wyloguj mimo to" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Logowanie" })).toBeVisible();
  const signedOut = await storageDump(page);
  expect(signedOut).toContain("outbox: mutation:id:");
  for (const secret of ["Teodora", "Okólna 17", "Dobrosław"]) expect(signedOut, `${secret} after sign-out`).not.toContain(secret);
});

test("wrong PINs are counted and slowed, the right one opens offline, and a forgotten PIN costs only an online sign-in: the unsent entry survives", async ({ server, page, context }) => {
  await page.clock.install();
  await openOnline(page, server.url);
  await unlockByHand(page);
  await context.setOffline(true);
  await recordHelpRequest(page, RESIDENT);

  // Closed and opened again, offline: locked from the start, nothing shown until the PIN.
  await page.reload();
  await expect(lockScreen(page)).toBeVisible();
  for (const left of [9, 8, 7]) {
    await typePin(page, "1357");
    await expect(lockScreen(page).getByRole("alert")).toHaveText(`Nieprawidłowy PIN. Pozostałe próby: ${left}.`);
  }
  await typePin(page, "1357");
  await expect(lockScreen(page).getByRole("alert")).toContainText(/^Zbyt wiele błędnych prób\. Następna próba o \d\d:\d\d:\d\d\. Pozostałe próby: 6\.$/);
  await page.clock.fastForward("00:31");
  await typePin(page, PIN);
  await expect(lockScreen(page)).toBeHidden();
  await expect(page.getByTestId("request-card").filter({ hasText: RESIDENT.name })).toHaveAttribute("data-sync", "pending");

  // Ten wrong PINs in a row (waiting out each pause): the PIN no longer opens anything.
  await lockApp(page);
  for (let wrong = 1; wrong < 10; wrong++) {
    await typePin(page, "1357");
    await expect(lockScreen(page).getByRole("alert")).toContainText(`Pozostałe próby: ${10 - wrong}.`);
    await page.clock.fastForward("16:00");
  }
  await typePin(page, "1357");
  const passwordScreen = page.getByRole("dialog", { name: "Zaloguj się hasłem" });
  await expect(passwordScreen).toBeVisible();
  await expect(passwordScreen).toContainText("PIN nie otwiera już danych");
  await page.reload();
  await expect(passwordScreen).toBeVisible();
  expect(await violations(page), "the password screen").toEqual([]);

  // Offline, the password cannot be checked; online it opens the data and asks for a new PIN.
  await passwordScreen.getByLabel("Hasło").fill(PASSWORD);
  await passwordScreen.getByRole("button", { name: "Zaloguj się i odblokuj" }).click();
  await expect(passwordScreen.getByRole("alert")).not.toBeEmpty();
  await context.setOffline(false);
  await passwordScreen.getByLabel("Hasło").fill(PASSWORD);
  await passwordScreen.getByRole("button", { name: "Zaloguj się i odblokuj" }).click();
  const choose = page.getByRole("dialog", { name: "Ustaw PIN" });
  await choose.getByLabel("Nowy PIN").fill("1234");
  await choose.getByLabel("Powtórz PIN").fill("1234");
  await choose.getByRole("button", { name: "Ustaw PIN" }).click();
  await expect(choose.getByText("Taki PIN łatwo odgadnąć")).toBeVisible();
  expect(await violations(page), "choosing a PIN, with an error").toEqual([]);
  await choose.getByLabel("Nowy PIN").fill("1357");
  await choose.getByLabel("Powtórz PIN").fill("1357");
  await choose.getByRole("button", { name: "Ustaw PIN" }).click();
  await expect(choose).toBeHidden();

  // The entry recorded before all this reaches the server, once.
  await expect(page.getByTestId("request-card").filter({ hasText: RESIDENT.name })).toHaveAttribute("data-sync", "synced", { timeout: 30_000 });
  expect((await serverHelpRequests(server)).filter((r) => r.resident_name === RESIDENT.name)).toHaveLength(1);
  // The new PIN opens the app; the old one no more.
  await page.reload();
  await typePin(page, PIN);
  await expect(lockScreen(page).getByRole("alert")).toHaveText("Nieprawidłowy PIN. Pozostałe próby: 9.");
  await typePin(page, "1357");
  await expect(lockScreen(page)).toBeHidden();
});

test("the app locks itself after the coordinator's idle period", async ({ server, page }) => {
  const coordinator = await apiAs(server, ACCOUNTS.coordinator.username);
  const changed = await coordinator.api.put("/api/v1/settings/lock-after", {
    data: { minutes: 2 },
    headers: { "x-csrf-token": coordinator.csrf },
  });
  expect(changed.status()).toBe(200);
  await coordinator.api.dispose();

  await page.clock.install();
  await openOnline(page, server.url);
  await unlockByHand(page);
  await page.clock.fastForward("01:30");
  await expect(page.getByRole("heading", { level: 1, name: "Prośby o pomoc" })).toBeVisible();
  // A touch counts as use: the period starts again.
  await page.getByRole("heading", { level: 1, name: "Prośby o pomoc" }).click();
  await page.clock.fastForward("01:30");
  await expect(lockScreen(page)).toBeHidden();
  await page.clock.fastForward("00:40");
  await expect(lockScreen(page)).toBeVisible();
  await typePin(page, PIN);
  await expect(lockScreen(page)).toBeHidden();
});

test("a locked phone whose account was deactivated forgets its key and data at its next contact, without anyone typing the PIN", async ({ server, page, context }) => {
  await openOnline(page, server.url);
  await unlockByHand(page);
  const account = await page.evaluate(() => JSON.parse(localStorage.getItem("sasiedzi.account")!).id as string);
  await context.setOffline(true);
  await page.reload();
  await expect(lockScreen(page)).toBeVisible();

  const coordinator = await apiAs(server, ACCOUNTS.coordinator.username);
  const deactivated = await coordinator.api.patch(`/api/v1/users/${account}`, {
    data: { active: false },
    headers: { "x-csrf-token": coordinator.csrf },
  });
  expect(deactivated.status()).toBe(200);
  await coordinator.api.dispose();

  // Found and switched on again with signal: nobody unlocks it, and still the data goes.
  await context.setOffline(false);
  await page.reload();
  await expect(page.getByTestId("account-wiped")).toBeVisible({ timeout: 30_000 });
  await expect(lockScreen(page)).toBeHidden();
  expect(await page.evaluate((id) => localStorage.getItem(`sasiedzi.keyring.${id}`), account)).toBeNull();
  await expect.poll(() => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).not.toContain(`sasiedzi-${account}`);
  const office = await apiAs(server, ACCOUNTS.coordinator.username);
  const users: { username: string; device_wipes: { wiped_at: string | null }[] }[] = await (await office.api.get("/api/v1/users")).json();
  const wipes = users.find((u) => u.username === ACCOUNTS.volunteer.username)!.device_wipes;
  expect(wipes.length).toBeGreaterThan(0);
  expect(wipes.every((w) => w.wiped_at !== null)).toBe(true);
  await office.api.dispose();
});
