import { violations } from "./support/axe";
import { ACCOUNTS, expect, openOnline, test, watchForAppErrors } from "./support/server";

test("a coordinator adds and retires a district and revises the consent text; forms follow", async ({ server, page }) => {
  test.setTimeout(120_000);
  const errors = watchForAppErrors(page);
  await openOnline(page, server.url, ACCOUNTS.coordinator.username);
  await page.getByRole("navigation").getByRole("link", { name: "Ustawienia" }).click();
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
  await page.getByRole("navigation").getByRole("link", { name: "Nowa prośba" }).click();
  await expect(page.getByLabel("Osiedle").locator("option", { hasText: "Osiedle Żółta Łąka" })).toHaveCount(1);

  // Retired, it leaves the form but stays on the list, marked.
  await page.getByRole("navigation").getByRole("link", { name: "Ustawienia" }).click();
  await page.getByRole("button", { name: "Zmień Osiedle Żółta Łąka" }).click();
  await page.getByLabel("W użyciu (dostępna w formularzach)").first().uncheck();
  await page.getByRole("button", { name: "Zapisz", exact: true }).click();
  await expect(entries.locator('[data-code="osiedle_zolta_laka"]')).toContainText("wycofana");
  await page.getByRole("navigation").getByRole("link", { name: "Nowa prośba" }).click();
  await expect(page.getByLabel("Osiedle").locator("option", { hasText: "Osiedle Żółta Łąka" })).toHaveCount(0);

  // A changed consent text is a new version.
  await page.getByRole("navigation").getByRole("link", { name: "Ustawienia" }).click();
  await expect(page.getByText("Obowiązuje wersja 1")).toBeVisible();
  await page.getByLabel("Treść po polsku").fill("Zgadzam się na zdjęcia ze spotkań MAL. Zgodę mogę wycofać.");
  await page.getByRole("button", { name: "Zapisz treść zgody" }).click();
  await expect(page.getByTestId("consent-saved")).toHaveText("Zapisano wersję 2. Kiosk zapyta o zgodę ponownie.");
  await expect(page.getByText("Obowiązuje wersja 2")).toBeVisible();
  expect(errors).toEqual([]);
});
