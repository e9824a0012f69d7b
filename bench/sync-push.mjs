// End-to-end sync benchmark: N help requests queued in the browser's outbox while the server is down, then
// the time from the network's return until the header shows nothing pending (push in batches, acknowledge,
// pull back, store). Usage: node bench/sync-push.mjs <server-binary> <site-root> [N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import net from "node:net";

const require = createRequire(path.resolve("end2end/package.json"));
const { chromium } = require("@playwright/test");

const [binary, siteRoot, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1000);
const dataDir = mkdtempSync(path.join(os.tmpdir(), "sasiedzi-bench-"));
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const url = `http://127.0.0.1:${port}`;

let server;
async function startServer() {
  server = spawn(binary, ["--addr", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    env: { ...process.env, LEPTOS_SITE_ROOT: siteRoot, RUST_LOG: "warn" },
    stdio: "inherit",
  });
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function stopServer() {
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  await startServer();
  const context = await browser.newContext({ serviceWorkers: "allow" });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid="last-sync"][data-synced="true"]');
  await stopServer();
  await context.setOffline(true);

  // Exactly what the app writes when a volunteer saves a request: the record and its outbox entry.
  await page.evaluate(async (count) => {
    const uuidv7 = (ms, n) => {
      const hex = ms.toString(16).padStart(12, "0") + "7" + n.toString(16).padStart(19, "0");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    };
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("sasiedzi");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction(["help_requests", "outbox"], "readwrite");
    const now = Date.now();
    for (let n = 0; n < count; n++) {
      const recorded_at = new Date(now + n).toISOString();
      const fields = {
        resident_name: `Mieszkaniec ${n}`,
        district: "jedwabnik",
        category: "shopping",
        description: `Zakupy nr ${n}: chleb, mleko, warzywa, leki z apteki.`,
      };
      const id = uuidv7(now + n, 2 * n);
      tx.objectStore("help_requests").put({ id, ...fields, status: "awaiting_approval", recorded_at });
      tx.objectStore("outbox").put({
        mutation: { id: uuidv7(now + n, 2 * n + 1), kind: "help_request.create", recorded_at, payload: { help_request_id: id, ...fields } },
        entity_id: id,
        state: { state: "pending" },
      });
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  }, count);
  await page.reload();
  await page.waitForSelector(`[data-testid="pending-count"][data-pending="${count}"]`, { timeout: 60_000 });

  await startServer();
  const started = performance.now();
  await context.setOffline(false);
  await page.waitForSelector('[data-testid="pending-count"][data-pending="0"]', { timeout: 300_000 });
  const seconds = (performance.now() - started) / 1000;
  let helpRequests = 0;
  for (let since = 0, more = true; more; ) {
    const page = await (await fetch(`${url}/api/v1/sync/pull?since=${since}&limit=1000`)).json();
    helpRequests += page.changes.filter((c) => c.entity === "help_request").length;
    [since, more] = [page.next_cursor, page.has_more];
  }
  console.log(`sync-push: ${count} queued mutations pushed and acknowledged in ${seconds.toFixed(2)} s ` +
    `(${(count / seconds).toFixed(0)} mutations/s); server holds ${helpRequests} help requests`);
  if (helpRequests !== count) process.exitCode = 1;
} finally {
  await browser.close();
  if (server && server.exitCode === null) await stopServer();
  rmSync(dataDir, { recursive: true, force: true });
}
