// End-to-end sync benchmark: COUNT help requests (default 1,000) queued in the browser's outbox while the
// server is down, then the time from the network's return until the header shows nothing pending: pushes
// in batches, acknowledgements, the pull back, and the writes to IndexedDB.
import path from "node:path";
import { queueHelpRequests, serverHelpRequestCount } from "../end2end/tests/support/outbox";
import { AppServer, expect, openOnline, test } from "../end2end/tests/support/server";

const ROOT = path.resolve(__dirname, "..");
const COUNT = Number(process.env.COUNT ?? 1000);

test(`sync-push: ${COUNT} queued mutations`, async ({ page, context }) => {
  const server = await AppServer.create({ binary: path.join(ROOT, "target/release/server"), hashFile: path.join(ROOT, "target/release/hash.txt"), siteRoot: path.join(ROOT, "target/site") });
  try {
    await openOnline(page, server.url);
    await server.stop();
    await context.setOffline(true);
    await queueHelpRequests(
      page,
      Array.from({ length: COUNT }, (_, n) => ({
        resident_name: `Mieszkaniec ${n}`,
        district: "jedwabnik",
        category: "shopping",
        description: "Zakupy: chleb, mleko, warzywa, leki z apteki.",
      })),
    );
    await page.reload();
    await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", String(COUNT));

    await server.start();
    const started = performance.now();
    await context.setOffline(false);
    // Not `expect`: its polling interval grows to a second, too coarse for a timing.
    await page.waitForSelector('[data-testid="pending-count"][data-pending="0"]', { timeout: 300_000 });
    const seconds = (performance.now() - started) / 1000;

    expect(await serverHelpRequestCount(server)).toBe(COUNT);
    console.log(
      `sync-push: ${COUNT} queued mutations pushed and acknowledged in ${seconds.toFixed(2)} s ` +
        `(${(COUNT / seconds).toFixed(0)} mutations/s)`,
    );
  } finally {
    await server.dispose();
  }
});
