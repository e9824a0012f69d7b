// List benchmark: 5,000 help requests in the browser's store (as pulled from the server, sealed under the
// person's data key), then the time
// from a change of filter, search or sort until the list's count shows the new result: filtering the
// local copy in WASM and re-rendering the first page of cards.
import path from "node:path";
import { Page } from "@playwright/test";
import { dataKey } from "../end2end/tests/support/device";
import { AppServer, expect, openOnline, test } from "../end2end/tests/support/server";

const ROOT = path.resolve(__dirname, "..");
const COUNT = Number(process.env.LIST_COUNT ?? 5000);
const RUNS = 5;

async function storeRequests(page: Page, count: number) {
  const key = await dataKey(page);
  await page.evaluate(async ({ count, key }) => {
    const sealing = await crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, ["encrypt"]);
    const seal = async (value: object) => {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, sealing, new TextEncoder().encode(JSON.stringify(value))));
      const sealed = new Uint8Array(12 + ciphertext.length);
      sealed.set(iv);
      sealed.set(ciphertext, 12);
      return sealed;
    };
    const uuid = (n: number) => {
      const hex = n.toString(16).padStart(32, "0");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    };
    const names = ["Łukasz Żółkowski", "Anna Kowalska", "Zofia Wiśniewska", "Jan Nowak", "Grażyna Dąbrowska"];
    const districts = ["gospodarska", "inzynierska", "jedwabnik", "krolewska", "okolna", "wojska_polskiego", "berliny", "tbs"];
    const categories = ["shopping", "transport", "companionship", "respite_care", "equipment_loan", "paperwork", "small_repairs", "other"];
    const statuses = ["awaiting_approval", "returned", "rejected", "approved", "assigned", "in_progress", "done", "cancelled"];
    const account = JSON.parse(localStorage.getItem("sasiedzi.account")!);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`sasiedzi-${account.id}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const now = Date.now();
    const records = [];
    for (let n = 0; n < count; n++) {
      const record = {
        id: uuid(n + 1),
        resident_name: `${names[n % names.length]} ${n}`,
        district: districts[n % districts.length],
        category: categories[Math.floor(n / 3) % categories.length],
        description: "Zakupy w piątek: chleb, mleko, leki z apteki przy ul. Królewskiej; proszę zadzwonić dwa razy.",
        urgency: ["low", "normal", "urgent"][n % 3],
        status: statuses[n % statuses.length],
        recorded_at: new Date(now - n * 60_000).toISOString(),
        revision: 1,
      };
      records.push({ id: record.id, sealed: await seal(record) });
    }
    // Sealed first: WebCrypto's promises would let the transaction commit before its writes.
    const tx = db.transaction(["help_requests"], "readwrite");
    for (const record of records) tx.objectStore("help_requests").put(record);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, { count, key });
}

/** Milliseconds from `change` until the page's content has been updated (NaN if it never changes). */
async function timeUntilListChanges(page: Page, change: string): Promise<number> {
  return page.evaluate(async (change) => {
    const main = document.querySelector("main")!;
    const changed = new Promise<number>((resolve) => {
      // Observer callbacks run after the whole synchronous re-render: the list is complete by then.
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(main, { subtree: true, childList: true, characterData: true, attributes: true });
      setTimeout(() => {
        observer.disconnect();
        resolve(NaN);
      }, 5_000);
    });
    const [id, value] = change.split("=");
    const element = document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
    const started = performance.now();
    element.value = value;
    element.dispatchEvent(new Event(element.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
    return (await changed) - started;
  }, change);
}

test(`request-list: filtering ${COUNT} local requests`, async ({ page }) => {
  const server = await AppServer.create({ binary: path.join(ROOT, "target/release/server"), hashFile: path.join(ROOT, "target/release/hash.txt"), siteRoot: path.join(ROOT, "target/site") });
  try {
    await openOnline(page, server.url);
    await storeRequests(page, COUNT);
    await page.reload();
    await expect(page.getByTestId("request-count")).toHaveText(`Pokazano ${COUNT} z ${COUNT}`);
    const changes: [string, string][] = [
      ["status", "status=awaiting_approval"],
      ["district", "filter_district=okolna"],
      ["search (diacritics folded)", "search=lukasz"],
      ["sort by urgency", "sort=urgency"],
    ];
    for (const [name, change] of changes) {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        // Alternate with a neutral value so every run really changes the list.
        if (run > 0) await timeUntilListChanges(page, change.replace(/=.*/, "="));
        times.push(await timeUntilListChanges(page, change));
      }
      // Back to "any", so that the filters measured next do not combine with this one.
      await timeUntilListChanges(page, change.replace(/=.*/, "="));
      expect(times.every(Number.isFinite)).toBe(true);
      times.sort((a, b) => a - b);
      console.log(`request-list: ${COUNT} requests, ${name}: median ${times[Math.floor(RUNS / 2)].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)})`);
    }
  } finally {
    await server.dispose();
  }
});
