// App lock benchmark (issue 20): what sealing the device's data costs a slow phone. With the CPU slowed
// down 4× (Chrome DevTools Protocol, as Lighthouse's mobile profile does), it reports the unlock (the
// PIN's 600,000 PBKDF2 rounds in WebCrypto, then the data key opened) and saving a help request through
// the form (sealing the record and its outbox entry in one IndexedDB transaction), from the click to the
// page's answer; and the same for a kiosk tablet: its exit PIN's unlock, and a signature confirmed. It
// checks only that the work was done, never how fast.
import path from "node:path";
import { drawSignature } from "../end2end/tests/support/kiosk";
import { event } from "../end2end/tests/support/seed";
import { ACCOUNTS, AppServer, PIN, apiAs, expect, lockApp, navigateTo, openOnline, test, unlockByHand } from "../end2end/tests/support/server";

const ROOT = path.resolve(__dirname, "..");
const RUNS = 5;
const SLOWDOWN = 4;

const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
const summary = (times: number[]) =>
  `median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${times.length} runs)`;

async function timed(act: () => Promise<void>, done: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await act();
  await done();
  return Date.now() - started;
}

test("app lock: unlock and save on a CPU slowed down 4×", async ({ page }) => {
  const server = await AppServer.create({ binary: path.join(ROOT, "target/release/server"), hashFile: path.join(ROOT, "target/release/hash.txt"), siteRoot: path.join(ROOT, "target/site") });
  try {
    await openOnline(page, server.url);
    await unlockByHand(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: SLOWDOWN });
    const locked = page.getByRole("dialog", { name: "Aplikacja zablokowana" });

    const unlocks: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await lockApp(page);
      await locked.getByLabel("PIN", { exact: true }).fill(PIN);
      unlocks.push(
        await timed(
          () => locked.getByRole("button", { name: "Odblokuj" }).click(),
          () => expect(locked).toBeHidden(),
        ),
      );
    }

    const saves: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await navigateTo(page, "Nowa prośba");
      await page.getByLabel("Imię i nazwisko mieszkańca").fill(`Mieszkanka ${run}`);
      await page.getByLabel("Osiedle").selectOption("okolna");
      await page.getByLabel("Rodzaj pomocy").selectOption("shopping");
      await page.getByLabel("Opis potrzeby").fill("Zakupy: chleb, mleko, leki z apteki na rogu");
      saves.push(
        await timed(
          () => page.getByRole("button", { name: "Zapisz prośbę" }).click(),
          () => expect(page.getByRole("status").filter({ hasText: "Zapisano prośbę na tym urządzeniu." })).toBeVisible(),
        ),
      );
    }
    console.log(`app lock, CPU ${SLOWDOWN}× slower: unlock with the PIN ${summary(unlocks)}`);
    console.log(`app lock, CPU ${SLOWDOWN}× slower: saving a help request (sealed) ${summary(saves)}`);
  } finally {
    await server.dispose();
  }
});

test("kiosk lock: unlock with the exit PIN and a signature saved, on a CPU slowed down 4×", async ({ browser }) => {
  const server = await AppServer.create({ binary: path.join(ROOT, "target/release/server"), hashFile: path.join(ROOT, "target/release/hash.txt"), siteRoot: path.join(ROOT, "target/site") });
  try {
    const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
    const eventId = await event(api, csrf, "Kawiarenka sąsiedzka", new Date(Date.now() - 3_600_000).toISOString(), ["goal_6"]);
    const enrolled = await (await api.post("/api/v1/enrolments", { headers: { "x-csrf-token": csrf }, data: { event_id: eventId } })).json();
    const pin: string = enrolled.enrolment.exit_pin;
    const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const kiosk = await tablet.newPage();
    await kiosk.goto(`${server.url}/kiosk`);
    await kiosk.getByLabel("Kod z ekranu organizatora").fill(enrolled.code);
    await kiosk.getByRole("button", { name: "Połącz tablet" }).click();
    const welcome = kiosk.getByRole("heading", { name: "Lista obecności — podpisz się" });
    await expect(welcome).toBeVisible();
    const cdp = await tablet.newCDPSession(kiosk);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: SLOWDOWN });

    const unlocks: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await kiosk.getByRole("button", { name: "Obsługa" }).click();
      await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
      await kiosk.getByRole("button", { name: "Otwórz" }).click();
      await kiosk.getByRole("button", { name: "Zablokuj tablet" }).click();
      await kiosk.getByLabel("PIN wyjścia z trybu kiosku").fill(pin);
      unlocks.push(await timed(() => kiosk.getByRole("button", { name: "Odblokuj" }).click(), () => expect(welcome).toBeVisible()));
    }

    const signatures: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await kiosk.getByRole("button", { name: /Jestem tu pierwszy raz/ }).click();
      await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
      await kiosk.getByLabel("Imię i nazwisko").fill(`Gość ${run}`);
      await kiosk.getByRole("button", { name: "Dalej" }).click();
      await kiosk.getByRole("button", { name: "Nie zgadzam się", exact: true }).click();
      await drawSignature(kiosk, run);
      await kiosk.getByRole("button", { name: "Dalej" }).click();
      await kiosk.getByRole("button", { name: "Zgadzam się", exact: true }).click();
      signatures.push(
        await timed(() => kiosk.getByRole("button", { name: "Potwierdzam" }).click(), () => expect(kiosk.getByTestId("kiosk-thanks")).toBeVisible()),
      );
      await kiosk.getByRole("button", { name: "Następna osoba" }).click();
    }
    console.log(`kiosk lock, CPU ${SLOWDOWN}× slower: unlock with the exit PIN ${summary(unlocks)}`);
    console.log(`kiosk lock, CPU ${SLOWDOWN}× slower: a signature confirmed (sealed) ${summary(signatures)}`);
    await tablet.close();
    await api.dispose();
  } finally {
    await server.dispose();
  }
});
