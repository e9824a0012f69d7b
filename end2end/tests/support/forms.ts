import { Page } from "@playwright/test";
import { expect, navigateTo } from "./server";

export type NewRequest = { name: string; district: string; category: string; description: string; place?: string };

/** Records a help request through the form, as a volunteer types it, and waits for the saved notice. */
export async function recordHelpRequest(page: Page, request: NewRequest) {
  await navigateTo(page, "Nowa prośba");
  await page.getByLabel("Imię i nazwisko mieszkańca").fill(request.name);
  await page.getByLabel("Osiedle").selectOption(request.district);
  await page.getByLabel("Rodzaj pomocy").selectOption(request.category);
  await page.getByLabel("Opis potrzeby").fill(request.description);
  if (request.place !== undefined) await page.getByLabel("Miejsce (opcjonalnie)").fill(request.place);
  await page.getByRole("button", { name: "Zapisz prośbę" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Zapisano prośbę na tym urządzeniu." })).toBeVisible();
}
