import { APIRequestContext } from "@playwright/test";
import { violations } from "./support/axe";
import { signAsNewcomer } from "./support/kiosk";
import { event } from "./support/seed";
import { ACCOUNTS, apiAs, expect, test } from "./support/server";

type Enrolment = { id: string; code: string; pin: string };

async function enrol(api: APIRequestContext, csrf: string, eventId: string): Promise<Enrolment> {
  const answer = await api.post("/api/v1/enrolments", { headers: { "x-csrf-token": csrf }, data: { event_id: eventId } });
  expect(answer.status()).toBe(201);
  const body = await answer.json();
  return { id: body.enrolment.id, code: body.code, pin: body.enrolment.exit_pin };
}

/** The names on one event's attendance list, as the server holds it (an organiser reads every list). */
async function listedNames(api: APIRequestContext, eventId: string): Promise<string[]> {
  const names: string[] = [];
  for (let since = 0, more = true; more; ) {
    const page = await (await api.get(`/api/v1/sync/pull?since=${since}&limit=1000`)).json();
    for (const change of page.changes) {
      if (change.entity === "attendance_list" && change.data.event_id === eventId) {
        names.splice(0, names.length, ...change.data.entries.map((e: { attendee: { name: string } }) => e.attendee.name));
      }
    }
    [since, more] = [page.next_cursor, page.has_more];
  }
  return names;
}

test("a tablet holding unsent signatures of one event is not enrolled for another until they are sent", async ({
  server,
  browser,
}) => {
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const startsAt = new Date(Date.now() - 3_600_000).toISOString();
  const cafe = await event(api, csrf, "Kawiarenka sąsiedzka", startsAt, ["goal_6"]);
  const walk = await event(api, csrf, "Spacer z kijkami", startsAt, ["goal_6"]);
  const first = await enrol(api, csrf, cafe);

  const tablet = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1024, height: 768 } });
  const kiosk = await tablet.newPage();
  const connect = async (code: string) => {
    await kiosk.getByLabel("Kod z ekranu organizatora").fill(code);
    await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
  };
  const staff = async (pin: string) => {
    await kiosk.getByRole("button", { name: "Obsługa" }).click();
    await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
    await kiosk.getByRole("button", { name: "Otwórz" }).click();
  };
  await kiosk.goto(`${server.url}/kiosk`);
  await connect(first.code);
  await expect(kiosk.getByTestId("kiosk-ready")).toContainText("Kawiarenka sąsiedzka");
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();

  // The café has no signal: Genowefa signs on the tablet.
  await server.stop();
  await tablet.setOffline(true);
  await signAsNewcomer(kiosk, "Genowefa Nowicka", 1);

  // Meanwhile the tablet's enrolment ends on the server; when the signal returns, the tablet learns it
  // cannot send, and keeps the signature.
  await server.start();
  expect((await api.delete(`/api/v1/enrolments/${first.id}`, { headers: { "x-csrf-token": csrf } })).status()).toBe(204);
  await tablet.setOffline(false);
  await staff(first.pin);
  await expect(kiosk.getByText("Tablet został odłączony od wydarzenia.")).toBeVisible({ timeout: 30_000 });
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 1");

  // The organiser, already at the next event, gives the tablet that event's code: refused, and told why.
  const next = await enrol(api, csrf, walk);
  await connect(next.code);
  await expect(kiosk.getByRole("alert")).toContainText(
    "Niewysłane podpisy z wydarzenia „Kawiarenka sąsiedzka”: 1. Tablet nie przejdzie do innego wydarzenia",
  );
  await expect(kiosk.getByTestId("kiosk-ready")).toContainText("Kawiarenka sąsiedzka");
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 1");
  expect(await listedNames(api, cafe)).toEqual([]);

  // A new code for the café connects the tablet again (back to the signing screen), and the signature goes.
  const again = await enrol(api, csrf, cafe);
  await connect(again.code);
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  await staff(again.pin);
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 0", { timeout: 30_000 });
  await expect(kiosk.getByText("Tablet został odłączony od wydarzenia.")).toBeHidden();
  expect(await listedNames(api, cafe)).toEqual(["Genowefa Nowicka"]);

  // Only now may the tablet leave the café, and the walk's code (never used) makes it the walk's kiosk.
  await kiosk.getByRole("button", { name: "Zakończ pracę kiosku" }).click();
  await connect(next.code);
  await expect(kiosk.getByTestId("kiosk-ready")).toContainText("Spacer z kijkami");
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  expect(await listedNames(api, cafe)).toEqual(["Genowefa Nowicka"]);
  expect(await listedNames(api, walk)).toEqual([]);
  await tablet.close();
  await api.dispose();
});

test("a kiosk locked by staff opens with the exit PIN offline; after ten wrong PINs only a new code for its event opens it, and the signature it kept is sent", async ({
  server,
  browser,
}) => {
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const cafe = await event(api, csrf, "Kawiarenka sąsiedzka", new Date(Date.now() - 3_600_000).toISOString(), ["goal_6"]);
  const first = await enrol(api, csrf, cafe);
  const tablet = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1024, height: 768 } });
  const kiosk = await tablet.newPage();
  await kiosk.clock.install();
  const locked = kiosk.getByRole("heading", { name: "Tablet zablokowany" });
  const typePin = async (pin: string) => {
    await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
    await kiosk.getByRole("button", { name: "Odblokuj" }).click();
  };
  const wrongPin = first.pin === "000000" ? "111111" : "000000";
  await kiosk.goto(`${server.url}/kiosk`);
  await kiosk.getByLabel("Kod z ekranu organizatora").fill(first.code);
  await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  await kiosk.waitForFunction(() => navigator.serviceWorker.controller !== null);

  // No signal; Genowefa signs; at the break, staff lock the tablet.
  await tablet.setOffline(true);
  await signAsNewcomer(kiosk, "Genowefa Nowicka", 1);
  await kiosk.getByRole("button", { name: "Obsługa" }).click();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(first.pin);
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await kiosk.getByRole("button", { name: "Zablokuj tablet" }).click();
  await expect(locked).toBeVisible();
  await expect(kiosk.getByLabel("PIN wyjścia z trybu kiosku")).toBeVisible();
  await kiosk.screenshot({ path: test.info().outputPath("kiosk-locked.png") });

  // The exit PIN opens it, offline.
  await typePin(first.pin);
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();

  // Locked again, ten wrong guesses (each pause waited out): the PIN no longer opens it, even after a reload.
  await kiosk.getByRole("button", { name: "Obsługa" }).click();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(first.pin);
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await kiosk.getByRole("button", { name: "Zablokuj tablet" }).click();
  for (let wrong = 1; wrong < 10; wrong++) {
    await typePin(wrongPin);
    await expect(kiosk.getByRole("alert")).toContainText(`Pozostałe próby: ${10 - wrong}.`);
    await kiosk.clock.fastForward("16:00");
  }
  await typePin(wrongPin);
  const newCode = kiosk.getByText("Poproś organizatora o nowy kod dla tego wydarzenia");
  await expect(newCode).toBeVisible();
  await kiosk.reload();
  await expect(newCode).toBeVisible();
  await expect(kiosk.getByLabel("PIN wyjścia z trybu kiosku")).toHaveCount(0);
  expect(await violations(kiosk), "a kiosk that needs a new code").toEqual([]);

  // Online, a new code for the café opens what the tablet kept: the signature reaches the server once, and
  // the new code's exit PIN is the one that works now.
  await tablet.setOffline(false);
  const again = await enrol(api, csrf, cafe);
  await kiosk.getByLabel("Kod z ekranu organizatora").fill(again.code);
  await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
  await expect(kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" })).toBeVisible();
  await expect.poll(() => listedNames(api, cafe), { timeout: 30_000 }).toEqual(["Genowefa Nowicka"]);
  await kiosk.reload();
  await expect(locked).toBeVisible();
  await typePin(again.pin);
  await kiosk.getByRole("button", { name: "Obsługa" }).click();
  await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(again.pin);
  await kiosk.getByRole("button", { name: "Otwórz" }).click();
  await expect(kiosk.getByTestId("kiosk-pending")).toHaveText("Podpisy czekające na wysłanie: 0");
  await tablet.close();
  await api.dispose();
});
