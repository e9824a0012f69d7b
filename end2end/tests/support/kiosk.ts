import { Page } from "@playwright/test";
import { expect } from "./server";

/** A zig-zag drawn with a real pointer drag across the pad, different for every person. */
export async function drawSignature(page: Page, seed: number) {
  const box = (await page.getByTestId("signature-pad").boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 16; i++) {
    const x = box.x + box.width * (0.1 + 0.05 * i);
    const y = box.y + box.height * (0.5 + 0.3 * Math.sin(i * 1.3 + seed));
    await page.mouse.move(x, y, { steps: 3 });
  }
  await page.mouse.up();
}

/** A newcomer at the kiosk: agrees to their details being kept, gives the name, signs, confirms. */
export async function signAsNewcomer(kiosk: Page, name: string, seed: number) {
  await kiosk.getByRole("button", { name: /Jestem tu pierwszy raz/ }).click();
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await kiosk.getByLabel("Imię i nazwisko").fill(name);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await kiosk.getByRole("button", { name: "Nie zgadzam się", exact: true }).click();
  await drawSignature(kiosk, seed);
  await kiosk.getByRole("button", { name: "Dalej" }).click();
  await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
  await expect(kiosk.getByTestId("confirm-name")).toHaveText(name);
  await kiosk.getByRole("button", { name: "Potwierdzam" }).click();
  await expect(kiosk.getByTestId("kiosk-thanks")).toBeVisible();
  await kiosk.getByRole("button", { name: "Następna osoba" }).click();
}
