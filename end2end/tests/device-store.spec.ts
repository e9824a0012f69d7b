import { Page } from "@playwright/test";
import { recordHelpRequest } from "./support/forms";
import { expect, openOnline, test } from "./support/server";

/** The object stores of this browser's one Sąsiedzi database. */
async function storesOf(page: Page, name: string): Promise<string[]> {
  return page.evaluate(
    (name) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => {
          const stores = [...open.result.objectStoreNames];
          open.result.close();
          resolve(stores);
        };
        open.onerror = () => reject(open.error);
      }),
    name,
  );
}

test("a device whose store an older build made gets the stores it lacks and keeps what it had", async ({ server, page }) => {
  await openOnline(page, server.url);
  await recordHelpRequest(page, { name: "Pani Zofia", district: "jedwabnik", category: "shopping", description: "Zakupy" });
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");

  // On a page where the app does not run, make the database look as a build before meeting notes left it:
  // a later version without their store.
  await page.goto(`${server.url}/healthz`);
  const name = await page.evaluate(async () => {
    const [database] = (await indexedDB.databases()).filter((d) => d.name?.startsWith("sasiedzi-"));
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(database.name!, database.version! + 1);
      open.onupgradeneeded = () => open.result.deleteObjectStore("meeting_notes");
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
      open.onerror = () => reject(open.error);
    });
    return database.name!;
  });
  const older = await storesOf(page, name);
  expect(older).not.toContain("meeting_notes");

  await page.goto(server.url);
  await expect(page.getByTestId("request-card").filter({ hasText: "Pani Zofia" })).toBeVisible();
  await page.goto(`${server.url}/healthz`);
  expect((await storesOf(page, name)).sort()).toEqual([...older, "meeting_notes"].sort());
});
