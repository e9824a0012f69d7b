import { Locator, Page, Route } from "@playwright/test";
import { violations } from "./support/axe";
import { localRecords } from "./support/device";
import { recordHelpRequest } from "./support/forms";
import { cameraPhoto, hasExif, jpegSize, metadataMarkers, storedOriginals } from "./support/photos";
import { ACCOUNTS, apiAs, expect, navigateTo, openOnline, test } from "./support/server";

const resident = { name: "Irena Kowalska", district: "okolna", category: "shopping", description: "Zakupy na tydzień" };

/** The image has really loaded (a blocked or broken source has no width). */
async function expectLoaded(img: Locator) {
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
}

async function openRequest(page: Page, name: string) {
  await page.getByTestId("request-card").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** Picks `photo` from the gallery and fills in what it needs, as a volunteer would. */
async function attachPhoto(page: Page, photo: Buffer, caption: string) {
  await page.getByTestId("photo-gallery").setInputFiles({ name: "IMG_2041.jpg", mimeType: "image/jpeg", buffer: photo });
  const draft = page.getByTestId("local-photo").and(page.locator('[data-state="draft"]'));
  await expect(draft).toHaveCount(1, { timeout: 30_000 });
  await expectLoaded(draft.getByRole("img"));
  // The people answer is required: saving without it says so and keeps the draft.
  await draft.getByRole("button", { name: "Zapisz zdjęcie" }).click();
  await expect(draft.getByRole("alert")).toHaveText("Zaznacz, czy na zdjęciu widać osoby.");
  await draft.getByLabel("Podpis zdjęcia (opcjonalnie)").fill(caption);
  await draft.getByLabel("Nie — brak osób rozpoznawalnych").check();
  await draft.getByRole("button", { name: "Zapisz zdjęcie" }).click();
}

test("a 12 MP photo with GPS attached offline survives a reload and reaches the server shrunk, upright and without GPS", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);
  const photo = await cameraPhoto(page, 4000, 3000, 6);
  expect(hasExif(photo)).toBe(true);

  await server.stop();
  await context.setOffline(true);
  await recordHelpRequest(page, resident);
  await openRequest(page, resident.name);
  await attachPhoto(page, photo, "Zakupy dostarczone pod drzwi");
  const waiting = page.getByTestId("local-photo").and(page.locator('[data-state="waiting"]'));
  await expect(waiting).toContainText("Czeka na wysłanie");

  // On the device already: at most 1600 px, upright (the camera's EXIF said to turn it), no EXIF.
  const kept = (await localRecords(page, ["photo_blobs"])).photo_blobs.find((b) => b.key.endsWith("/original"))!.bytes;
  expect(kept.length).toBeLessThan(photo.length);
  expect(Buffer.from(kept.slice(0, 64)).includes(Buffer.from("Exif"))).toBe(false);

  // The app is closed and opened again, still offline: the photo is still there, waiting.
  await page.reload();
  await expect(waiting).toHaveCount(1);
  await expectLoaded(waiting.getByRole("img"));

  // The network returns: the request syncs, then the photo follows by itself.
  await server.start();
  await context.setOffline(false);
  const uploaded = page.getByTestId("photo");
  await expect(uploaded).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId("local-photo")).toHaveCount(0);
  await expect(uploaded).toHaveAttribute("data-review", "pending");
  await expect(uploaded).toContainText("Czeka na akceptację");
  await expect(uploaded).toContainText("Zakupy dostarczone pod drzwi");
  await expectLoaded(uploaded.getByRole("img"));

  const id = (await uploaded.getAttribute("id"))!.replace("photo-", "");
  const { api } = await apiAs(server, ACCOUNTS.organiser.username);
  const original = await api.get(`/api/v1/photos/${id}/original`);
  expect(original.status()).toBe(200);
  const stored = await original.body();
  expect(jpegSize(stored)).toEqual({ width: 1200, height: 1600 });
  expect(hasExif(stored)).toBe(false);
  // Nothing but the JFIF header: no EXIF (with its GPS block), no XMP, no comments.
  expect(metadataMarkers(stored).filter((m) => m !== 0xe0)).toEqual([]);
  await api.dispose();
});

test("a photo whose upload is cut off by a server crash arrives once after the restart", async ({ server, page }) => {
  await openOnline(page, server.url);
  await recordHelpRequest(page, resident);
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await openRequest(page, resident.name);

  // The first upload reaches the server, which stores it and dies before the answer gets back.
  let crashed = false;
  await page.route("**/api/v1/photos/*/original", async (route) => {
    if (crashed) return route.continue();
    crashed = true;
    await route.fetch();
    await server.stop();
    await route.abort("connectionreset");
  });
  await attachPhoto(page, await cameraPhoto(page, 2000, 1500, 1), "Nowa poręcz na klatce");
  await expect.poll(() => crashed, { timeout: 30_000 }).toBe(true);
  await expect(page.getByTestId("local-photo")).toContainText("ponowię o");
  expect(storedOriginals(server.dataDir)).toHaveLength(1);

  await server.start();
  const uploaded = page.getByTestId("photo");
  await expect(uploaded).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId("local-photo")).toHaveCount(0);
  expect(storedOriginals(server.dataDir)).toHaveLength(1);

  // The organiser's device has it once too, and approves it into the gallery.
  const { api } = await apiAs(server, ACCOUNTS.organiser.username);
  const pulled = await (await api.get("/api/v1/sync/pull?since=0&limit=1000")).json();
  expect(pulled.changes.filter((c: { entity: string }) => c.entity === "photo")).toHaveLength(1);
  await api.dispose();
});

test("an organiser approves a photo from the queue, and only then do other volunteers see it in the event's gallery", async ({
  server,
  page,
  browser,
}) => {
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const created = await api.post("/api/v1/events", {
    headers: { "x-csrf-token": csrf },
    data: {
      title: "Sadzenie drzew na Okólnej",
      starts_at: "2026-11-20T10:00:00Z",
      ends_at: "2026-11-20T12:00:00Z",
      location: "brzozowa_7",
      plan_goals: ["goal_6"],
    },
  });
  expect(created.status()).toBe(201);
  const eventUrl = `${server.url}/event?id=${(await created.json()).id}`;
  await api.dispose();

  await openOnline(page, eventUrl);
  await page.getByTestId("photo-camera").setInputFiles({
    name: "IMG_2042.jpg",
    mimeType: "image/jpeg",
    buffer: await cameraPhoto(page, 1600, 1200, 1),
  });
  const draft = page.getByTestId("local-photo").and(page.locator('[data-state="draft"]'));
  await expectLoaded(draft.getByRole("img"));
  expect(await violations(page)).toEqual([]);
  await draft.getByLabel("Tak — osoby, które zgodziły się na wizerunek").check();
  await draft.getByRole("button", { name: "Zapisz zdjęcie" }).click();
  await expect(page.getByTestId("photo")).toHaveAttribute("data-review", "pending", { timeout: 30_000 });

  // Another volunteer does not see a photo nobody has checked.
  const neighbourContext = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 390, height: 844 } });
  const neighbour = await neighbourContext.newPage();
  await openOnline(neighbour, eventUrl, ACCOUNTS.otherVolunteer.username);
  await expect(neighbour.getByTestId("no-photos")).toBeVisible();

  const organiserContext = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1024, height: 900 } });
  const organiser = await organiserContext.newPage();
  await openOnline(organiser, server.url, ACCOUNTS.organiser.username);
  await navigateTo(organiser, /Do akceptacji/);
  const item = organiser.getByTestId("review-item").filter({ hasText: "Zdjęcie" });
  await expect(item).toContainText("Sadzenie drzew na Okólnej");
  await expectLoaded(item.getByRole("img"));
  expect(await violations(organiser)).toEqual([]);
  await item.getByRole("button", { name: "Zatwierdź zdjęcie" }).click();
  await expect(item).toHaveCount(0);
  await expect(organiser.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 20_000 });

  await neighbour.getByRole("button", { name: "Synchronizuj teraz" }).click();
  const shown = neighbour.getByTestId("photo");
  await expect(shown).toHaveAttribute("data-review", "approved", { timeout: 20_000 });
  await expect(shown).toContainText("Tak — osoby, które zgodziły się na wizerunek");
  await expectLoaded(shown.getByRole("img"));
  await expect(shown.getByRole("button", { name: "Zatwierdź zdjęcie" })).toHaveCount(0);
  await neighbourContext.close();
  await organiserContext.close();
});

test("two tabs coming online with the same waiting photo upload it once, and neither brings it back afterwards", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);
  await recordHelpRequest(page, resident);
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await openRequest(page, resident.name);
  const second = await context.newPage();
  await second.goto(page.url());
  await expect(second.getByRole("heading", { level: 1, name: resident.name })).toBeVisible();

  await server.stop();
  await context.setOffline(true);
  await attachPhoto(page, await cameraPhoto(page, 1600, 1200, 1), "Klatka schodowa po malowaniu");
  await expect(page.getByTestId("local-photo")).toContainText("Czeka na wysłanie");

  // Every upload of the photo's bytes is held until the test lets it go, so the tabs can be made to
  // overlap: the first upload is in flight while the other tab's upload loop is woken.
  type Held = { route: Route; from: Page };
  const uploads: Held[] = [];
  await context.route("**/api/v1/photos/*/original", async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    uploads.push({ route, from: route.request().frame().page() });
  });
  await server.start();
  await context.setOffline(false);
  await expect.poll(() => uploads.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const [first] = uploads;
  const uploader = first.from;
  const other = uploader === page ? second : page;

  // The other tab looks at the queue while the first upload is still in flight: it must wait for the
  // tab that is uploading (the uploads' Web Lock), not send the same photo beside it.
  await other.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect
    .poll(
      async () =>
        uploads.length > 1 ||
        (await other.evaluate(async () => (await navigator.locks.query()).pending?.some((l) => l.name === "sasiedzi-photo-uploads"))),
      { timeout: 30_000 },
    )
    .toBe(true);
  await first.route.continue();
  await expect(uploader.getByTestId("photo")).toHaveCount(1, { timeout: 30_000 });
  await expect(uploader.getByTestId("local-photo")).toHaveCount(0);
  // Had the other tab sent the photo too, its attempt now fails, after the first tab's acknowledgement.
  for (const late of uploads.slice(1)) await late.route.abort("connectionreset");
  await context.unroute("**/api/v1/photos/*/original");

  // Both tabs, opened again: the photo is on the server, nothing of it waits on the device.
  for (const tab of [uploader, other]) {
    await tab.reload();
    await expect(tab.getByTestId("photo")).toHaveCount(1);
    await expect(tab.getByTestId("local-photo")).toHaveCount(0);
  }
  const device = await localRecords(page, ["local_photos", "photo_blobs"]);
  expect(device.local_photos).toEqual([]);
  expect(device.photo_blobs).toEqual([]);
  expect(uploads.length, "uploads of the photo (the other tab must not send it beside the first)").toBe(1);
  expect(storedOriginals(server.dataDir)).toHaveLength(1);
  const { api } = await apiAs(server, ACCOUNTS.organiser.username);
  const pulled = await (await api.get("/api/v1/sync/pull?since=0&limit=1000")).json();
  const photos = pulled.changes.filter((c: { entity: string }) => c.entity === "photo");
  expect(photos).toHaveLength(1);
  expect(photos[0].data.uploaded).toBe(true);
  await api.dispose();
});
