import { recordHelpRequest } from "./support/forms";
import { ACCOUNTS, expect, navigateTo, openOnline, test } from "./support/server";

test("on a phone the header is a small strip, the filters are folded and the first request is on screen", async ({
  server,
  page,
}) => {
  await openOnline(page, server.url, ACCOUNTS.organiser.username);
  await recordHelpRequest(page, { name: "Pani Irena", district: "okolna", category: "shopping", description: "Zakupy" });
  await page.goto(server.url);
  await expect(page.getByTestId("request-card")).toHaveCount(1);

  const viewport = page.viewportSize()!;
  const header = (await page.locator(".app-header").boundingBox())!;
  expect(header.height).toBeLessThanOrEqual(viewport.height * 0.15);
  await expect(page.getByTestId("request-card").first()).toBeInViewport({ ratio: 1 });
  await expect(page.getByRole("navigation")).toBeHidden();
  // The folded menu still says that something waits for approval.
  await expect(page.getByTestId("menu-review-count")).toHaveText("1");
  await expect(page.getByRole("button", { name: "Menu (do akceptacji: 1)" })).toBeVisible();

  // The filters say how many of them narrow the list while folded.
  await page.getByTestId("filters-summary").click();
  await page.getByLabel("Szukaj").fill("Irena");
  await page.getByTestId("filters-summary").click();
  await expect(page.getByTestId("filters-summary")).toContainText("aktywne: 1");

  // The menu opens over the page and folds again once a destination is chosen.
  await navigateTo(page, "Raporty");
  await expect(page.getByRole("heading", { level: 1, name: "Raporty i eksport danych" })).toBeVisible();
  await expect(page.getByRole("navigation")).toBeHidden();

  // A tablet keeps the whole navigation in view.
  await page.setViewportSize({ width: 1024, height: 1366 });
  await expect(page.getByRole("navigation").getByRole("link", { name: "Kioski" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Menu\b/ })).toBeHidden();
});
