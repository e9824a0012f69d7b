import { violations } from "./support/axe";
import { recordHelpRequest } from "./support/forms";
import { ACCOUNTS, expect, navigateTo, openOnline, signIn, test } from "./support/server";

test("the list and the form meet WCAG 2.1 AA checks, also with errors shown", async ({ server, page }) => {
  await openOnline(page, `${server.url}/requests/new`);
  expect(await violations(page)).toEqual([]);

  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByText("To pole jest wymagane.")).toHaveCount(4);
  expect(await violations(page)).toEqual([]);

  await page.getByLabel("Imię i nazwisko mieszkańca").fill("Anna Kowalska");
  await page.getByLabel("Osiedle").selectOption("jedwabnik");
  await page.getByLabel("Rodzaj pomocy").selectOption("shopping");
  await page.getByLabel("Opis potrzeby").fill("Zakupy w czwartek");
  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByTestId("request-card")).toHaveCount(1);
  expect(await violations(page)).toEqual([]);
});

test("sign-in, account and the coordinator's and organiser's pages meet WCAG 2.1 AA checks", async ({ server, page }) => {
  await page.goto(`${server.url}/login`);
  await page.getByRole("button", { name: "Zaloguj się" }).click();
  await expect(page.getByTestId("sign-in-failure")).toBeVisible();
  expect(await violations(page)).toEqual([]);

  await signIn(page, server.url, ACCOUNTS.coordinator.username);
  for (const [link, ready] of [
    [ACCOUNTS.coordinator.displayName, page.getByRole("heading", { name: "Zmiana hasła" })],
    ["Użytkownicy", page.getByTestId("user-card").first()],
    ["Dziennik zdarzeń", page.getByTestId("audit-table")],
    ["Kioski", page.getByRole("heading", { name: "Aktywne kioski" })],
  ] as const) {
    await navigateTo(page, link);
    await expect(ready).toBeVisible();
    expect(await violations(page), link).toEqual([]);
  }
});

test("the review queue, a request with its actions and history, my tasks and residents meet WCAG 2.1 AA checks", async ({
  server,
  page,
}) => {
  await openOnline(page, server.url, ACCOUNTS.organiser.username);
  await recordHelpRequest(page, { name: "Anna Kowalska", district: "jedwabnik", category: "shopping", description: "Zakupy" });

  await navigateTo(page, /Do akceptacji/);
  await expect(page.getByTestId("review-item")).toHaveCount(1);
  expect(await violations(page), "review queue").toEqual([]);

  await page.getByTestId("review-item").getByRole("link", { name: "Anna Kowalska" }).click();
  await page.getByRole("button", { name: "Zwróć do poprawy" }).click();
  await page.getByRole("button", { name: "Potwierdź" }).click();
  await expect(page.getByRole("alert")).toHaveText("Napisz komentarz — osoba, która wpisała prośbę, zobaczy go.");
  expect(await violations(page), "request with a refused step").toEqual([]);

  await page.getByLabel("Komentarz").fill("Brak adresu");
  await page.getByRole("button", { name: "Potwierdź" }).click();
  await expect(page.getByTestId("review-comment")).toContainText("Brak adresu");
  expect(await violations(page), "returned request with history").toEqual([]);

  for (const [link, ready] of [
    ["Moje zadania", page.getByRole("heading", { name: "Moje godziny wolontariatu" })],
    ["Mieszkańcy", page.getByTestId("resident-list")],
  ] as const) {
    await navigateTo(page, link);
    await expect(ready).toBeVisible();
    expect(await violations(page), link).toEqual([]);
  }
  await page.getByRole("button", { name: "Dodaj mieszkańca" }).click();
  await page.locator("#resident-form").getByLabel("Telefon").fill("zadzwoń");
  await page.locator("#resident-form").getByRole("button", { name: "Zapisz mieszkańca", exact: true }).click();
  await expect(page.locator("#resident-form").getByText("Nieprawidłowy format.")).toBeVisible();
  await expect(page.locator("#resident-form").getByText("To pole jest wymagane.")).toBeVisible();
  expect(await violations(page), "resident form with errors").toEqual([]);
});
