import { readFileSync } from "node:fs";
import { Page } from "@playwright/test";
import { violations } from "./support/axe";
import { storageDump } from "./support/device";
import { drawSignature } from "./support/kiosk";
import { ACCOUNTS, apiAs, expect, navigateTo, signIn, test } from "./support/server";

const RESIDENTS = ["Anna Nowak", "Łucja Żak", "Jan Kowalski", "Zofia Wiśniewska", "Piotr Zieliński"];

/** One person at the kiosk: find the name, sign, answer the consent question, confirm. */
async function signAs(kiosk: Page, name: string, seed: number, consent: boolean) {
  await kiosk.getByLabel("Wpisz swoje nazwisko").fill(name.split(" ")[1].slice(0, 4));
  await kiosk.getByRole("button", { name }).click();
  await expect(kiosk.getByRole("heading", { name: `${name}, złóż podpis` })).toBeVisible();
  await drawSignature(kiosk, seed);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await expect(kiosk.getByTestId("consent-text")).toContainText("wizerunku");
  await kiosk.getByRole("button", { name: consent ? "Zgadzam się" : "Nie zgadzam się", exact: true }).click();
  await expect(kiosk.getByTestId("confirm-name")).toHaveText(name);
  await kiosk.getByRole("button", { name: "Potwierdzam" }).click();
  await expect(kiosk.getByTestId("kiosk-thanks")).toBeVisible();
  // Nothing of the person who signed stays on screen.
  await expect(kiosk.getByText(name)).toHaveCount(0);
  await kiosk.getByRole("button", { name: "Następna osoba" }).click();
}

test("a tablet kiosk collects six signatures offline, survives a reload, and the organiser approves and prints the list", async ({
  server,
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  // Five residents who agreed to be listed on the kiosk.
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const created = await api.post("/api/v1/sync/push", {
    headers: { "x-csrf-token": csrf },
    data: {
      device_id: crypto.randomUUID(),
      mutations: RESIDENTS.map((name) => ({
        id: crypto.randomUUID(),
        kind: "resident.create",
        recorded_at: new Date().toISOString(),
        payload: { resident_id: crypto.randomUUID(), name, district: "okolna", listed_at_kiosk: true },
      })),
    },
  });
  expect((await created.json()).results.map((r: { outcome: string }) => r.outcome)).toEqual(Array(5).fill("applied"));

  // The organiser plans the meeting and enrols the tablet.
  const organiser = page;
  await signIn(organiser, server.url, ACCOUNTS.organiser.username);
  await navigateTo(organiser, "Wydarzenia");
  await organiser.getByRole("link", { name: "Nowe wydarzenie" }).click();
  await organiser.getByRole("button", { name: "Zapisz wydarzenie" }).click();
  await expect(organiser.getByLabel("Nazwa wydarzenia")).toBeFocused();
  await expect(organiser.getByText("Cele planu (co najmniej jeden)").locator("..")).toContainText("To pole jest wymagane");
  expect(await violations(organiser), "event form with errors").toEqual([]);
  await organiser.getByLabel("Nazwa wydarzenia").fill("Klub seniora „Pod lipą”");
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
  await organiser.getByLabel("Początek").fill(`${day}T00:05`);
  await organiser.getByLabel("Koniec").fill(`${day}T23:55`);
  await organiser.getByLabel("Miejsce").selectOption("sosnowa_1c");
  await organiser.getByLabel(/^6\. Tworzenie wspólnot/).check();
  await organiser.getByLabel("Seniorzy 60+").check();
  await organiser.getByLabel("Znajdź mieszkańca, by dodać go do listy").fill("nowak");
  await organiser.getByRole("button", { name: "Dodaj: Anna Nowak" }).click();
  await organiser.getByRole("button", { name: "Zapisz wydarzenie" }).click();
  await expect(organiser.getByRole("heading", { level: 1, name: "Klub seniora „Pod lipą”" })).toBeVisible();
  await expect(organiser.getByText("ul. Sosnowa 1C")).toBeVisible();

  await navigateTo(organiser, "Kioski");
  await organiser.getByTestId("event-card").filter({ hasText: "Pod lipą" }).getByRole("button", { name: "Włącz tablet jako kiosk" }).click();
  const code = (await organiser.getByTestId("enrolment-code").locator("[data-code]").getAttribute("data-code"))!;
  const pin = (await organiser.getByTestId("exit-pin").getAttribute("data-pin"))!;

  const tablet = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1024, height: 768 } });
  const kiosk = await tablet.newPage();
  await kiosk.goto(`${server.url}/kiosk?code=${code}`);
  await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  await expect(kiosk.getByTestId("kiosk-ready")).toContainText("Pod lipą");
  expect(await violations(kiosk), "kiosk welcome").toEqual([]);
  await kiosk.waitForFunction(() => navigator.serviceWorker.controller !== null);

  // The meeting room has no signal.
  await server.stop();
  await tablet.setOffline(true);

  // A tap is not a signature.
  await kiosk.getByLabel("Wpisz swoje nazwisko").fill("nowa");
  await kiosk.getByRole("button", { name: "Anna Nowak" }).click();
  const pad = (await kiosk.getByTestId("signature-pad").boundingBox())!;
  await kiosk.mouse.click(pad.x + pad.width / 2, pad.y + pad.height / 2);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await expect(kiosk.getByRole("alert")).toHaveText("To wygląda na kropkę, nie podpis. Podpisz się jeszcze raz.");
  expect(await violations(kiosk), "signature pad with a problem").toEqual([]);
  await kiosk.getByRole("button", { name: "Wyczyść podpis" }).click();
  await drawSignature(kiosk, 0);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  expect(await violations(kiosk), "consent question").toEqual([]);
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  expect(await violations(kiosk), "confirmation").toEqual([]);
  await kiosk.getByRole("button", { name: "Potwierdzam" }).click();
  await kiosk.getByRole("button", { name: "Następna osoba" }).click();

  await signAs(kiosk, RESIDENTS[1], 1, true);
  await signAs(kiosk, RESIDENTS[2], 2, false);

  // The tablet is reloaded mid-event, still offline. It opens locked: what it keeps (the names it offers,
  // the signatures waiting to be sent, the consent answers) is sealed, and nobody's name or strokes can be
  // read from its storage.
  await kiosk.reload();
  await expect(kiosk.getByRole("heading", { name: "Tablet zablokowany" })).toBeVisible();
  await expect(kiosk.getByText("Wpisz swoje nazwisko")).toHaveCount(0);
  const sealed = await storageDump(kiosk);
  expect(sealed).toContain("outbox: mutation:id:");
  for (const secret of [...RESIDENTS, "strokes", "resident_id"]) {
    expect(sealed, `${secret} readable on the locked tablet`).not.toContain(secret);
  }
  expect(await violations(kiosk), "locked kiosk").toEqual([]);
  // A resident guessing gets nowhere; staff open it with the exit PIN, still offline, and nothing is lost.
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin === "000000" ? "111111" : "000000");
  await kiosk.getByRole("button", { name: "Odblokuj" }).click();
  await expect(kiosk.getByRole("alert")).toHaveText("Nieprawidłowy PIN. Pozostałe próby: 9.");
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
  await kiosk.getByRole("button", { name: "Odblokuj" }).click();
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  await expect(kiosk.getByRole("navigation")).toHaveCount(0);
  await kiosk.getByLabel("Wpisz swoje nazwisko").fill("nowa");
  await expect(kiosk.getByRole("button", { name: /Anna Nowak/ })).toContainText("już podpisano");

  await signAs(kiosk, RESIDENTS[3], 3, true);
  await signAs(kiosk, RESIDENTS[4], 4, true);

  // A walk-in agrees to their details being recorded and registers on the spot.
  await kiosk.getByRole("button", { name: /Jestem tu pierwszy raz/ }).click();
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await expect(kiosk.getByLabel("Imię i nazwisko")).toBeFocused();
  await kiosk.getByLabel("Imię i nazwisko").fill("Genowefa Nowicka");
  await kiosk.getByLabel("Osiedle (nieobowiązkowo)").selectOption("jedwabnik");
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await kiosk.getByRole("button", { name: "Nie zgadzam się", exact: true }).click();
  // "Next" on an empty pad asks for a signature; the request goes once the person signs.
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await expect(kiosk.getByRole("alert")).toHaveText("Złóż podpis w ramce.");
  await drawSignature(kiosk, 5);
  await expect(kiosk.locator("#signature_problem")).toBeEmpty();
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await kiosk.getByRole("button", { name: "Potwierdzam" }).click();
  await expect(kiosk.getByTestId("kiosk-thanks")).toBeVisible();
  // Nobody needs to press anything: the kiosk returns to its start for the next person.
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();

  // Staff look behind the flow only with the PIN: six signatures wait on the tablet.
  await kiosk.getByRole("button", { name: "Obsługa" }).click();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill("000000" === pin ? "111111" : "000000");
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await expect(kiosk.getByText("Nieprawidłowy PIN.")).toBeVisible();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 6");

  // Signal again: the tablet sends the list by itself.
  await server.start();
  await tablet.setOffline(false);
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 0", { timeout: 30_000 });

  // The organiser sees six rows, each with a signature and a consent answer, and approves from the queue.
  await organiser.getByRole("button", { name: "Synchronizuj teraz" }).click();
  await expect(organiser.getByTestId("review-count")).toHaveText("1");
  await navigateTo(organiser, /Do akceptacji/);
  await organiser.getByTestId("review-item").getByRole("link", { name: "Klub seniora „Pod lipą”" }).click();
  const rows = organiser.getByTestId("attendance-row");
  await expect(rows).toHaveCount(6);
  // Signatures show once their opening is noted for the audit log.
  await expect(organiser.getByTestId("attendance-table").locator("svg.signature")).toHaveCount(0);
  await organiser.getByRole("button", { name: "Pokaż podpisy" }).click();
  await expect(organiser.getByTestId("attendance-table").locator("svg.signature path")).toHaveCount(6);
  for (const path of await organiser.getByTestId("attendance-table").locator("svg.signature path").all()) {
    expect((await path.getAttribute("d"))!.length).toBeGreaterThan(40);
  }
  await expect(rows.filter({ hasText: "Tak (treść w wersji 1)" })).toHaveCount(5);
  await expect(rows.filter({ hasText: "Nie (treść w wersji 1)" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Genowefa Nowicka" })).toContainText("nowa osoba");
  expect(await violations(organiser), "event with its attendance list").toEqual([]);
  await organiser.getByRole("button", { name: "Zatwierdź listę obecności" }).click();
  await expect(organiser.getByTestId("list-status")).toContainText("Zatwierdzona przez Olga Organizator");
  await expect(organiser.getByTestId("review-count")).toHaveText("0");

  // Locked: a late paper entry needs a reason, and the reason shows in the history.
  await organiser.getByText("Zaznacz obecność ręcznie").click();
  await organiser.getByLabel("Imię i nazwisko (albo wyszukaj w rejestrze)").fill("Stefan Papierowy");
  await organiser.getByRole("button", { name: "Dopisz jako obecną/obecnego" }).click();
  await expect(organiser.getByRole("alert")).toHaveText("Lista jest zatwierdzona: podaj powód zmiany.");
  await organiser.getByLabel("Powód zmiany (lista jest zatwierdzona)").fill("Podpisał listę papierową przy wejściu");
  await organiser.getByRole("button", { name: "Dopisz jako obecną/obecnego" }).click();
  await expect(rows).toHaveCount(7);
  await expect(organiser.getByTestId("list-history")).toContainText(
    "dopisano: Stefan Papierowy (powód: Podpisał listę papierową przy wejściu)",
  );

  // The A4 sheet: header, numbered rows with signatures, nothing else on paper.
  await organiser.getByRole("link", { name: "Wydruk listy (A4)" }).click();
  const sheet = organiser.getByTestId("attendance-sheet");
  await expect(sheet).toContainText("Klub seniora „Pod lipą”");
  await expect(sheet).toContainText("ul. Sosnowa 1C");
  await expect(sheet).toContainText("6. Tworzenie wspólnot zapobiegających izolacji i osamotnieniu");
  expect(await violations(organiser), "attendance sheet").toEqual([]);
  await organiser.emulateMedia({ media: "print" });
  await expect(organiser.getByRole("navigation")).toBeHidden();
  const sheetRows = organiser.getByTestId("sheet-row");
  await expect(sheetRows).toHaveCount(7);
  await expect(sheetRows.locator("td").first()).toHaveText("1");
  await expect(sheetRows.nth(6).locator("td").first()).toHaveText("7");
  await expect(sheetRows.locator("svg.signature")).toHaveCount(6);
  await organiser.screenshot({ path: test.info().outputPath("attendance-sheet-print.png"), fullPage: true });
  await organiser.emulateMedia({ media: "screen" });

  // The CSV for the spreadsheet: Polish letters intact, one numbered row per person.
  await organiser.getByRole("link", { name: "← Wróć do wydarzenia" }).click();
  const [download] = await Promise.all([
    organiser.waitForEvent("download"),
    organiser.getByRole("link", { name: "Pobierz CSV" }).click(),
  ]);
  const csv = readFileSync((await download.path())!, "utf8");
  const lines = csv.replace(/^\uFEFF/, "").trim().split("\n");
  expect(lines[0]).toContain("Imię i nazwisko");
  expect(lines).toHaveLength(8);
  // Residents picked from the roster gave no district at the kiosk: the registry's is in the sheet.
  expect(csv).toContain("Łucja Żak,Okólna,podpis na tablecie,tak,1");
  expect(csv).toContain("Genowefa Nowicka,Jedwabnik,podpis na tablecie,tak,1");

  await tablet.close();
});

test("a walk-in answers both consents at the kiosk and at the next event finds their name instead of registering again", async ({
  server,
  browser,
}) => {
  test.setTimeout(120_000);
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const hour = 3_600_000;
  const event = async (title: string): Promise<string> => {
    const created = await api.post("/api/v1/events", {
      headers: { "x-csrf-token": csrf },
      data: {
        title,
        starts_at: new Date(Date.now() - hour).toISOString(),
        ends_at: new Date(Date.now() + 3 * hour).toISOString(),
        location: "brzozowa_7",
        plan_goals: ["goal_6"],
      },
    });
    expect(created.status()).toBe(201);
    return (await created.json()).id;
  };
  const enrol = async (eventId: string): Promise<{ code: string; pin: string }> => {
    const enrolled = await api.post("/api/v1/enrolments", { headers: { "x-csrf-token": csrf }, data: { event_id: eventId } });
    expect(enrolled.status()).toBe(201);
    const body = await enrolled.json();
    return { code: body.code, pin: body.enrolment.exit_pin };
  };
  const first = await event("Kawiarenka sąsiedzka");
  const second = await event("Spacer z kijkami");

  const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const kiosk = await tablet.newPage();
  const connect = async (code: string) => {
    await kiosk.goto(`${server.url}/kiosk?code=${code}`);
    await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
    await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  };
  const { code, pin } = await enrol(first);
  await connect(code);

  // Someone who does not want their details kept: nothing is recorded, staff take them on paper.
  await kiosk.getByRole("button", { name: /Jestem tu pierwszy raz/ }).click();
  await expect(kiosk.getByRole("heading", { name: "Czy możemy zapisać Twoje dane?" })).toBeVisible();
  await expect(kiosk.getByTestId("consent-text")).toContainText("zapisało moje imię i nazwisko, telefon i osiedle");
  expect(await violations(kiosk), "data-processing question").toEqual([]);
  await kiosk.getByRole("button", { name: "Nie zgadzam się", exact: true }).click();
  await expect(kiosk.getByTestId("kiosk-declined")).toHaveText("Bez tej zgody nie zapiszemy Twoich danych");
  await expect(kiosk.getByText("Poproś osobę z obsługi, aby wpisała Cię na papierową listę obecności.")).toBeVisible();
  expect(await violations(kiosk), "nothing recorded").toEqual([]);
  await kiosk.getByRole("button", { name: "Wróć do początku" }).click();

  // Genowefa agrees to both, and the kiosk's confirmation repeats her answers.
  await kiosk.getByRole("button", { name: /Jestem tu pierwszy raz/ }).click();
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await kiosk.getByLabel("Imię i nazwisko").fill("Genowefa Nowicka");
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await expect(kiosk.getByRole("heading", { name: "Czy podpowiadać Twoje nazwisko na kolejnych spotkaniach?" })).toBeVisible();
  await expect(kiosk.getByTestId("consent-text")).toContainText("tablet przy wejściu podpowiadał moje imię i nazwisko");
  expect(await violations(kiosk), "listing question").toEqual([]);
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await drawSignature(kiosk, 7);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await expect(kiosk.getByRole("heading", { name: "Zgoda na wykorzystanie wizerunku" })).toBeVisible();
  await kiosk.getByRole("button", { name: "Nie zgadzam się", exact: true }).click();
  await expect(kiosk.getByTestId("confirm-name")).toHaveText("Genowefa Nowicka");
  await expect(kiosk.getByTestId("confirm-listing")).toHaveText("Zgadzam się");
  await kiosk.getByRole("button", { name: "Potwierdzam" }).click();
  await expect(kiosk.getByTestId("kiosk-thanks")).toBeVisible();

  // The signature reaches the server; staff end the kiosk and the tablet serves the next event.
  await kiosk.getByRole("button", { name: "Obsługa" }).click();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 0", { timeout: 30_000 });
  await kiosk.getByRole("button", { name: "Zakończ pracę kiosku" }).click();
  await expect(kiosk.getByRole("button", { name: "Połącz tablet" })).toBeVisible();
  const next = await enrol(second);
  await connect(next.code);

  await kiosk.getByLabel("Wpisz swoje nazwisko").fill("nowi");
  await kiosk.getByRole("button", { name: "Genowefa Nowicka" }).click();
  await expect(kiosk.getByRole("heading", { name: "Genowefa Nowicka, złóż podpis" })).toBeVisible();
  await drawSignature(kiosk, 8);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await kiosk.getByRole("button", { name: "Potwierdzam" }).click();
  await expect(kiosk.getByTestId("kiosk-thanks")).toBeVisible();
  await kiosk.getByRole("button", { name: "Obsługa" }).click();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(next.pin);
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 0", { timeout: 30_000 });
  await tablet.close();

  // One Genowefa in the registry, with the consents she gave, on both lists; nobody else was recorded.
  type Change = { entity: string; data: any };
  const changes: Change[] = [];
  for (let since = 0, more = true; more; ) {
    const page = await (await api.get(`/api/v1/sync/pull?since=${since}`)).json();
    changes.push(...page.changes);
    [since, more] = [page.next_cursor, page.has_more];
  }
  const residents = changes.filter((c) => c.entity === "resident").map((c) => c.data);
  expect(residents.map((r) => r.name)).toEqual(["Genowefa Nowicka"]);
  const [genowefa] = residents;
  expect(genowefa.listed_at_kiosk).toBe(true);
  expect(genowefa.consent.text_version).toBe(1);
  const lists = changes.filter((c) => c.entity === "attendance_list").map((c) => c.data);
  for (const eventId of [first, second]) {
    const list = lists.find((l) => l.event_id === eventId);
    expect(list.entries.map((e: any) => e.attendee.resident_id)).toEqual([genowefa.id]);
  }
});
