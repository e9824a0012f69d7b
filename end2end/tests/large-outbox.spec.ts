import { queueHelpRequests, serverHelpRequestCount } from "./support/outbox";
import { expect, openOnline, test } from "./support/server";

test("an outbox too large for one push still drains completely", async ({ server, page, context }) => {
  await openOnline(page, server.url);
  await server.stop();
  await context.setOffline(true);

  // 200 requests with the longest description allowed, in 3-byte characters: about 2.4 MB as one batch,
  // over the server's 2 MiB body limit.
  await queueHelpRequests(page, 200, "„".repeat(4000));
  await page.reload();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "200");

  await server.start();
  await context.setOffline(false);
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 60_000 });
  expect(await serverHelpRequestCount(server)).toBe(200);
});
