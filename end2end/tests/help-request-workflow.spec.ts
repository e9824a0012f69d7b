import { BrowserContext, Page } from "@playwright/test";
import { recordHelpRequest } from "./support/forms";
import { ACCOUNTS, expect, navigateTo, openOnline, signIn, test } from "./support/server";

/** Pushes this device's outbox and pulls, then waits until nothing is left to send. */
async function syncNow(page: Page) {
  await page.getByRole("button", { name: "Synchronizuj teraz" }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 20_000 });
  await expect(page.getByTestId("sync-phase")).toHaveAttribute("data-phase", "idle");
}

async function openRequest(page: Page, name: string) {
  await navigateTo(page, "Prośby o pomoc");
  await page.getByTestId("request-card").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

async function phone(context: BrowserContext) {
  return context.browser()!.newContext({ serviceWorkers: "allow", viewport: { width: 390, height: 844 } });
}

test("a request travels from a volunteer offline through review and assignment to done, with its whole history", async ({
  server,
  page,
  context,
}) => {
  test.setTimeout(180_000);
  const volunteer = page;
  await openOnline(volunteer, server.url);

  // At the resident's door without signal.
  await server.stop();
  await context.setOffline(true);
  // The sync line says so at once, before anything fails to send.
  await expect(volunteer.getByTestId("sync-phase")).toHaveAttribute("data-phase", "offline");
  await navigateTo(volunteer, "Nowa prośba");
  await volunteer.getByLabel("Imię i nazwisko mieszkańca").fill("Łucja Ślęzak");
  await volunteer.getByLabel("Osiedle").selectOption("okolna");
  await volunteer.getByLabel("Rodzaj pomocy").selectOption("transport");
  await volunteer.getByLabel("Opis potrzeby").fill("Wizyta w przychodni");
  await volunteer.getByLabel("Jak pilne?").selectOption("urgent");
  await volunteer.getByRole("button", { name: "Zapisz prośbę" }).click();
  const card = volunteer.getByTestId("request-card").filter({ hasText: "Łucja Ślęzak" });
  await expect(card).toHaveAttribute("data-sync", "pending");

  // Signal again: the request reaches the server by itself.
  await server.start();
  await context.setOffline(false);
  await expect(volunteer.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await expect(card).toHaveAttribute("data-sync", "synced");

  // The organiser, on another device, finds it in the review queue and returns it with a comment.
  const organiserContext = await phone(context);
  const organiser = await organiserContext.newPage();
  await signIn(organiser, server.url, ACCOUNTS.organiser.username);
  await expect(organiser.getByTestId("review-count")).toHaveText("1");
  await navigateTo(organiser, /Do akceptacji/);
  await organiser.getByTestId("review-item").getByRole("link", { name: "Łucja Ślęzak" }).click();
  await organiser.getByRole("button", { name: "Zwróć do poprawy" }).click();
  await organiser.getByLabel("Komentarz").fill("Podaj godzinę wizyty");
  await organiser.getByRole("button", { name: "Potwierdź" }).click();
  await expect(organiser.getByTestId("request-status")).toHaveText("Zwrócone do poprawy");
  await syncNow(organiser);

  // The volunteer's device shows the comment after sync; they fix the request and resubmit it.
  await syncNow(volunteer);
  await openRequest(volunteer, "Łucja Ślęzak");
  await expect(volunteer.getByTestId("request-status")).toHaveText("Zwrócone do poprawy");
  await expect(volunteer.getByTestId("review-comment")).toContainText("Podaj godzinę wizyty");
  await volunteer.getByRole("link", { name: "Popraw prośbę" }).click();
  await volunteer.getByLabel("Opis potrzeby").fill("Wizyta w przychodni we wtorek o 10:00");
  await volunteer.getByRole("button", { name: "Zapisz i wyślij ponownie do akceptacji" }).click();
  await expect(volunteer.getByTestId("request-status")).toHaveText("Do akceptacji");
  await syncNow(volunteer);

  // The organiser approves it and assigns the volunteer.
  await syncNow(organiser);
  await expect(organiser.getByTestId("review-count")).toHaveText("1");
  await openRequest(organiser, "Łucja Ślęzak");
  await expect(organiser.getByText("Wizyta w przychodni we wtorek o 10:00").first()).toBeVisible();
  await organiser.getByRole("button", { name: "Zatwierdź" }).click();
  await expect(organiser.getByTestId("request-status")).toHaveText("Zatwierdzone");
  await expect(organiser.getByTestId("review-count")).toHaveText("0");
  await organiser.getByRole("button", { name: "Przydziel wolontariuszy" }).click();
  await organiser.getByLabel(ACCOUNTS.volunteer.displayName).check();
  // A sync landing while the form is open (the approval reaching the server) keeps the form as it is.
  await syncNow(organiser);
  await expect(organiser.getByLabel(ACCOUNTS.volunteer.displayName)).toBeChecked();
  await organiser.getByRole("button", { name: "Potwierdź" }).click();
  await expect(organiser.getByTestId("request-status")).toHaveText("Przydzielone");
  await syncNow(organiser);

  // The volunteer sees it under "My tasks", takes it and completes it with 2.5 hours.
  await syncNow(volunteer);
  await navigateTo(volunteer, "Moje zadania");
  await volunteer.getByTestId("my-requests").getByRole("link", { name: "Łucja Ślęzak" }).click();
  await volunteer.getByRole("button", { name: "Przyjmuję zadanie" }).click();
  await volunteer.getByRole("button", { name: "Zakończ" }).click();
  await volunteer.getByLabel("Jak udało się pomóc").fill("Zawiozłam i przywiozłam");
  await volunteer.getByLabel("Czas (w godzinach)").fill("2,5");
  await volunteer.getByRole("button", { name: "Potwierdź" }).click();
  await expect(volunteer.getByTestId("request-status")).toHaveText("Zakończone");
  await syncNow(volunteer);
  await navigateTo(volunteer, "Moje zadania");
  await expect(volunteer.getByTestId("my-hours")).toContainText("2.5");

  // The organiser sees the request done, and its history shows every step with who did it.
  await syncNow(organiser);
  await openRequest(organiser, "Łucja Ślęzak");
  await expect(organiser.getByTestId("request-status")).toHaveText("Zakończone");
  await expect(organiser.getByTestId("logged-hours")).toHaveText("2.5 h");
  const history = organiser.getByTestId("history").locator("li");
  const steps = await history.evaluateAll((items) => items.map((li) => li.getAttribute("data-event")).reverse());
  expect(steps).toEqual(["recorded", "return", "edited", "resubmit", "approve", "assign", "accept", "complete"]);
  const entry = (event: string) => organiser.getByTestId("history").locator(`li[data-event="${event}"]`);
  await expect(entry("return")).toContainText(ACCOUNTS.organiser.displayName);
  await expect(entry("return")).toContainText("Podaj godzinę wizyty");
  await expect(entry("edited")).toContainText("„Wizyta w przychodni” → „Wizyta w przychodni we wtorek o 10:00”");
  await expect(entry("complete")).toContainText(ACCOUNTS.volunteer.displayName);
  await expect(entry("complete")).toContainText("2.5 h");
  await organiser.screenshot({ path: test.info().outputPath("request-history.png"), fullPage: true });

  await organiserContext.close();
});

test("an organiser approves several requests at once from the queue", async ({ server, page }) => {
  await openOnline(page, server.url);
  for (const name of ["Anna Kowalska", "Jan Nowak"]) {
    await recordHelpRequest(page, { name, district: "jedwabnik", category: "shopping", description: "Zakupy" });
  }
  await syncNow(page);
  const organiserContext = await phone(page.context());
  const organiser = await organiserContext.newPage();
  await signIn(organiser, server.url, ACCOUNTS.organiser.username);
  await navigateTo(organiser, /Do akceptacji/);
  await expect(organiser.getByTestId("review-item")).toHaveCount(2);
  // Oldest first.
  await expect(organiser.getByTestId("review-item").first()).toContainText("Anna Kowalska");
  await organiser.getByLabel("Zaznacz wszystkie").check();
  await organiser.getByRole("button", { name: "Zatwierdź zaznaczone (2)" }).click();
  await expect(organiser.getByTestId("review-empty")).toBeVisible();
  await expect(organiser.getByTestId("review-count")).toHaveText("0");
  await syncNow(organiser);
  await syncNow(page);
  await expect(page.getByTestId("request-card").and(page.locator('[data-status="approved"]'))).toHaveCount(2);
  await organiserContext.close();
});

test("a resident recorded once is found again offline whatever the diacritics, and organisers merge duplicates", async ({
  server,
  page,
}) => {
  await openOnline(page, server.url);
  await navigateTo(page, "Mieszkańcy");
  for (const phoneNumber of ["600 100 200", ""]) {
    await page.getByRole("button", { name: "Dodaj mieszkańca" }).click();
    await page.locator("#resident-form").getByLabel("Imię i nazwisko mieszkańca").fill("Łukasz Żółć");
    await page.locator("#resident-form").getByLabel("Telefon").fill(phoneNumber);
    await page.locator("#resident-form").getByRole("button", { name: "Zapisz mieszkańca", exact: true }).click();
    await expect(page.locator("#resident-form")).toHaveCount(0);
  }
  await syncNow(page);

  // Offline, a new request finds him by "lukasz".
  await server.stop();
  await page.context().setOffline(true);
  await navigateTo(page, "Nowa prośba");
  await page.getByLabel("Imię i nazwisko mieszkańca").fill("lukasz");
  await expect(page.getByRole("group", { name: "Pasujące osoby z rejestru" }).getByRole("button")).toHaveCount(2);
  await page.getByRole("button", { name: /Wybierz: Łukasz Żółć \(600 100 200\)/ }).click();
  await expect(page.getByTestId("resident-picked")).toContainText("Łukasz Żółć, tel. 600 100 200");
  await expect(page.getByLabel("Imię i nazwisko mieszkańca")).toHaveValue("Łukasz Żółć");
  await server.start();
  await page.context().setOffline(false);

  // The organiser merges the two records into the one with the phone number.
  const organiserContext = await phone(page.context());
  const organiser = await organiserContext.newPage();
  await signIn(organiser, server.url, ACCOUNTS.organiser.username);
  await navigateTo(organiser, "Mieszkańcy");
  const cards = organiser.getByTestId("resident-card");
  await expect(cards).toHaveCount(2);
  await cards.nth(0).getByLabel("Zaznacz do scalenia").check();
  await cards.nth(1).getByLabel("Zaznacz do scalenia").check();
  await organiser.getByRole("button", { name: "Zachowaj: Łukasz Żółć" }).first().click();
  await expect(cards).toHaveCount(1);
  await cards.getByRole("button", { name: "Pokaż dane: Łukasz Żółć" }).click();
  await expect(cards).toContainText("600 100 200");
  await syncNow(organiser);
  await organiserContext.close();
});
