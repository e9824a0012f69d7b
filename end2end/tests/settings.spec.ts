import { violations } from "./support/axe";
import { ACCOUNTS, apiAs, expect, navigateTo, openOnline, test } from "./support/server";
import { approve, event, onPaper, push } from "./support/seed";

/** The year on the centre's calendar (Europe/Warsaw), in which the server counts the retention period. */
function centreYear(at = new Date()): number {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Warsaw", year: "numeric" }).format(at));
}

test("a coordinator adds and retires a district and revises the consent text; forms follow", async ({ server, page }) => {
  test.setTimeout(120_000);
  await openOnline(page, server.url, ACCOUNTS.coordinator.username);
  await navigateTo(page, "Ustawienia");
  await expect(page.getByRole("heading", { level: 1, name: "Ustawienia ośrodka" })).toBeVisible();
  const entries = page.getByTestId("dictionary-entries");
  await expect(entries.getByRole("listitem")).toHaveCount(8);

  // A name already on the list, and a missing English name, are refused before anything is sent.
  await page.getByLabel("Nazwa po polsku").fill("okólna");
  await page.getByRole("button", { name: "Dodaj" }).click();
  await expect(page.getByText("Taka pozycja już jest na tej liście.")).toBeVisible();
  await expect(page.getByText("To pole jest wymagane")).toBeVisible();
  await expect(page.getByLabel("Nazwa po polsku")).toBeFocused();
  expect(await violations(page), "settings with errors").toEqual([]);

  await page.getByLabel("Nazwa po polsku").fill("Osiedle Żółta Łąka");
  await page.getByLabel("Nazwa po angielsku").fill("Yellow Meadow estate");
  await page.getByRole("button", { name: "Dodaj" }).click();
  await expect(entries.getByRole("listitem")).toHaveCount(9);
  await expect(page.getByLabel("Nazwa po polsku")).toHaveValue("");

  // The new district is offered in the request form.
  await navigateTo(page, "Nowa prośba");
  await expect(page.getByLabel("Osiedle").locator("option", { hasText: "Osiedle Żółta Łąka" })).toHaveCount(1);

  // Retired, it leaves the form but stays on the list, marked.
  await navigateTo(page, "Ustawienia");
  await page.getByRole("button", { name: "Zmień Osiedle Żółta Łąka" }).click();
  await page.getByLabel("W użyciu (dostępna w formularzach)").first().uncheck();
  await page.getByRole("button", { name: "Zapisz", exact: true }).click();
  await expect(entries.locator('[data-code="osiedle_zolta_laka"]')).toContainText("wycofana");
  await navigateTo(page, "Nowa prośba");
  await expect(page.getByLabel("Osiedle").locator("option", { hasText: "Osiedle Żółta Łąka" })).toHaveCount(0);

  // A changed consent text is a new version of its own kind; the other kinds keep theirs.
  await navigateTo(page, "Ustawienia");
  const image = page.getByRole("region", { name: "Treść zgody na wizerunek" });
  const data = page.getByRole("region", { name: "Treść zgody na przetwarzanie danych osobowych" });
  const listing = page.getByRole("region", { name: "Treść zgody na podpowiadanie nazwiska w kiosku" });
  for (const section of [image, data, listing]) {
    await expect(section.getByText("Obowiązuje wersja 1")).toBeVisible();
  }
  await image.getByLabel("Treść po polsku").fill("Zgadzam się na zdjęcia ze spotkań MAL. Zgodę mogę wycofać.");
  await image.getByRole("button", { name: "Zapisz treść zgody" }).click();
  await expect(image.getByTestId("consent-saved")).toHaveText("Zapisano wersję 2.");
  await expect(image.getByText("Obowiązuje wersja 2")).toBeVisible();
  await data.getByLabel("Treść po angielsku").fill("");
  await data.getByRole("button", { name: "Zapisz treść zgody" }).click();
  await expect(data.getByText("To pole jest wymagane")).toBeVisible();
  await expect(data.getByLabel("Treść po polsku")).toBeFocused();
  await expect(data.getByText("Obowiązuje wersja 1")).toBeVisible();
  await expect(listing.getByText("Obowiązuje wersja 1")).toBeVisible();
});

test("a coordinator sees what the retention period makes due and confirms the anonymisation", async ({ server, page }) => {
  test.setTimeout(120_000);
  // A 2019 meeting with Zofia and a walk-in; Celina is registered this year.
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const zofia = crypto.randomUUID();
  const at2019 = "2019-05-10T15:00:00Z";
  await push(api, csrf, [
    { kind: "resident.create", recorded_at: at2019, payload: { resident_id: zofia, name: "Zofia Kowalska", phone: "600 100 200", district: "okolna", target_groups: ["seniors"] } },
    { kind: "resident.create", payload: { resident_id: crypto.randomUUID(), name: "Celina Zając", district: "okolna", target_groups: [] } },
  ]);
  const meeting = await event(api, csrf, "Klub seniora 2019", at2019, ["goal_3"]);
  await push(api, csrf, [
    { ...onPaper(meeting, "Zofia Kowalska", zofia), recorded_at: at2019 },
    { ...onPaper(meeting, "Jan Wiśniewski"), recorded_at: at2019 },
    { ...approve(meeting), recorded_at: at2019 },
  ]);
  await api.dispose();

  // The server reckons from today (domain::retention): under N years, matters last active in (this year −
  // N − 1) or earlier are due. So the heading's year follows the clock; the 2019 fixture is due from 2025 on.
  const lastExpiredYear = centreYear() - 5 - 1;
  await openOnline(page, server.url, ACCOUNTS.coordinator.username);
  await navigateTo(page, "Ustawienia");
  const years = page.getByLabel("Okres przechowywania (pełne lata, od 1 do 50)");
  await expect(years).toHaveValue("5");
  const due = page.getByTestId("retention-due");
  await expect(due).toContainText(`${lastExpiredYear} r. i wcześniej`);
  await expect(due).toContainText("mieszkańcy: 2");
  await expect(due).toContainText("listy obecności: 1");
  await expect(due).toContainText("zgłoszenia: 0");

  // A period out of range is refused with a reason; the stored one stays.
  await years.fill("0");
  await page.getByRole("button", { name: "Zapisz okres" }).click();
  await expect(page.getByText("Podaj liczbę pełnych lat od 1 do 50.")).toBeVisible();
  await expect(years).toBeFocused();
  await expect(due).toContainText("mieszkańcy: 2");

  // Nothing happens without ticking that it cannot be undone.
  await page.getByRole("button", { name: "Anonimizuj teraz" }).click();
  await expect(page.getByText("Zaznacz najpierw, że rozumiesz, że anonimizacji nie można cofnąć.")).toBeVisible();
  expect(await violations(page), "retention with errors").toEqual([]);
  await page.getByLabel("Rozumiem, że anonimizacji nie można cofnąć.").check();
  await page.getByRole("button", { name: "Anonimizuj teraz" }).click();
  await expect(page.getByTestId("retention-applied")).toHaveText(
    "Zanonimizowano: mieszkańcy: 2, zgłoszenia: 0, listy obecności: 1, zdjęcia do usunięcia: 0",
  );
  await expect(due).toHaveText(`Nie ma nic do anonimizacji: żadna sprawa nie zakończyła się w ${lastExpiredYear} r. ani wcześniej.`);

  // The device pulls the anonymised records: the registry no longer offers Zofia, the list keeps its count.
  await navigateTo(page, "Mieszkańcy");
  await expect(page.getByText("Celina Zając")).toBeVisible();
  await expect(page.getByText("Zofia Kowalska")).toHaveCount(0);
  await page.goto(`${server.url}/event?id=${meeting}`);
  await expect(page.getByTestId("anonymised")).toContainText("Dane osobowe usunięto");
  await expect(page.getByTestId("list-status")).toContainText("2");
  await expect(page.getByText("Jan Wiśniewski")).toHaveCount(0);
  await expect(page.getByText("[dane usunięte]")).toHaveCount(2);
});

test("a coordinator hands a resident everything held about them, then erases it on their request", async ({ server, page }) => {
  test.setTimeout(120_000);
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  await push(api, csrf, [
    { kind: "resident.create", payload: { resident_id: crypto.randomUUID(), name: "Zofia Kowalska", phone: "600 100 200", district: "okolna", target_groups: ["seniors"] } },
    { kind: "resident.create", payload: { resident_id: crypto.randomUUID(), name: "Celina Zając", district: "okolna", target_groups: [] } },
  ]);
  await api.dispose();

  await openOnline(page, server.url, ACCOUNTS.coordinator.username);
  await navigateTo(page, "Mieszkańcy");
  const zofia = page.getByTestId("resident-card").filter({ hasText: "Zofia Kowalska" });
  await zofia.getByRole("button", { name: "Pokaż dane: Zofia Kowalska" }).click();
  const downloading = page.waitForEvent("download");
  await zofia.getByRole("link", { name: "Pobierz wszystkie dane tej osoby (RODO art. 15)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^dane-osoby-[0-9a-f-]{36}\.zip$/);
  expect(await download.failure()).toBeNull();

  // No erasure without its grounds.
  await zofia.getByRole("button", { name: "Usuń dane na żądanie osoby (RODO art. 17)" }).click();
  const reason = zofia.getByLabel("Podstawa usunięcia (np. wniosek z dnia…)");
  await zofia.getByRole("button", { name: "Usuń trwale dane tej osoby" }).click();
  await expect(zofia.getByText("To pole jest wymagane.")).toBeVisible();
  await expect(reason).toBeFocused();
  expect(await violations(page), "erasure form with an error").toEqual([]);

  await reason.fill("Wniosek mieszkanki z 20.11");
  await zofia.getByRole("button", { name: "Usuń trwale dane tej osoby" }).click();
  await expect(page.getByTestId("erasure-done")).toHaveText(
    "Usunięto dane osoby. Zmienione wpisy: mieszkańcy: 1, zgłoszenia: 0, listy obecności: 0, spotkania z listą oczekiwanych: 0, zdjęcia do usunięcia: 0",
  );
  // The device pulls the erased entry: it leaves the registry, Celina stays.
  await expect(page.getByText("Zofia Kowalska")).toHaveCount(0);
  await expect(page.getByText("Celina Zając")).toBeVisible();
});

test("a coordinator sets how long closed requests stay on volunteers' phones; an impossible number is refused at the field", async ({ server, page }) => {
  await openOnline(page, server.url, ACCOUNTS.coordinator.username);
  await navigateTo(page, "Ustawienia");
  const days = page.getByLabel("Liczba dni");
  await expect(days).toHaveValue("30");

  await days.fill("400");
  await page.getByRole("button", { name: "Zapisz liczbę dni" }).click();
  await expect(page.getByText("Podaj liczbę całkowitą od 0 do 365.")).toBeVisible();
  await expect(days).toBeFocused();
  expect(await violations(page), "closed-request days with an error").toEqual([]);

  await days.fill("7");
  await page.getByRole("button", { name: "Zapisz liczbę dni" }).click();
  await expect(page.getByTestId("closed-days-saved")).toHaveText("Zapisano: zamknięte prośby znikają z telefonów wolontariuszy po 7 dniach.");
  await page.reload();
  await expect(page.getByLabel("Liczba dni")).toHaveValue("7");
});
