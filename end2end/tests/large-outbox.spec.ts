import { recordHelpRequest } from "./support/forms";
import { queueHelpRequests, serverHelpRequests } from "./support/outbox";
import { expect, openOnline, test } from "./support/server";

/** The server's limit on a request body (`MAX_BODY_BYTES` in server/src/api.rs): a bigger push is a 413. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
// The longest texts the form takes (domain::help_request::MAX_*_CHARS, also the fields' maxlength), in a
// character of 3 bytes in UTF-8 but one UTF-16 unit (what maxlength counts): the most bytes per request.
// The description has a space every 16 characters: words the browser lays out from its cache, where one
// 4000-character word made every render of the list of requests slow.
const DESCRIPTION = Array(250).fill("…".repeat(15)).join(" ");
const PLACE = "…".repeat(200);
const name = (n: number) => `${String(n).padStart(3, "0")} ${"…".repeat(116)}`;
// The fewest requests whose texts alone exceed the limit as one push (the JSON around them only adds).
const COUNT = Math.ceil(MAX_BODY_BYTES / Buffer.byteLength(name(0) + DESCRIPTION + PLACE));

// The DOM snapshots of a trace (every action, of a list of a hundred 4000-character requests) took longer
// than the test itself; the trace keeps the actions, network and screencast.
test.use({ trace: { mode: "retain-on-failure", snapshots: false } });

type Push = {
  status: number;
  bytes: number;
  mutations: { id: string; payload: { resident_name: string; description: string; place: string } }[];
  error: Promise<string | undefined>;
};

test("an outbox too large for one push is refused whole, then sent in smaller batches, each entry once", async ({
  server,
  page,
  context,
}) => {
  await openOnline(page, server.url);
  await server.stop();
  await context.setOffline(true);

  // Every answered push, from any page or worker of the device: offline attempts get no answer.
  const pushes: Push[] = [];
  context.on("response", (response) => {
    if (new URL(response.url()).pathname !== "/api/v1/sync/push") return;
    const body = response.request().postDataBuffer();
    pushes.push({
      status: response.status(),
      bytes: body?.length ?? 0,
      mutations: body ? JSON.parse(body.toString("utf8")).mutations : [],
      error: response.ok()
        ? Promise.resolve(undefined)
        : response.json().then((answer) => answer.error, (e) => `unreadable answer: ${e}`),
    });
  });

  // All but one queued as the app saves them (typing them all took most of this test's time), and one typed
  // through the form, so the app's own save is in the outbox too.
  const names = Array.from({ length: COUNT }, (_, n) => name(n));
  await queueHelpRequests(
    page,
    names.slice(1).map((resident) => ({ resident_name: resident, district: "jedwabnik", category: "shopping", description: DESCRIPTION, place: PLACE })),
  );
  await page.reload();
  await recordHelpRequest(page, { name: names[0], district: "jedwabnik", category: "shopping", description: DESCRIPTION, place: PLACE });
  const pending = page.getByTestId("pending-count");
  await expect(pending).toHaveAttribute("data-pending", String(COUNT));

  await server.start();
  await context.setOffline(false);
  // Polled until every entry got through. A failure shows the first push and what got through, and attaches
  // every push: the same full batch again and again means no shrinking after the 413; a first push
  // answered 200 means the outbox was never over the limit, so the test no longer tests the 413.
  const progress = () => {
    const [first, ...later] = pushes;
    const accepted = later.filter((p) => p.status === 200);
    return {
      first: first && `${first.mutations.length} mutations → ${first.status}`,
      accepted: new Set(accepted.flatMap((p) => p.mutations.map((m) => m.id))).size,
      acceptedAtFullSize: accepted.filter((p) => p.mutations.length >= COUNT).length,
    };
  };
  await expect
    .poll(progress, { timeout: 60_000, intervals: [250] })
    .toEqual({ first: `${COUNT} mutations → 413`, accepted: COUNT, acceptedAtFullSize: 0 })
    .catch(async (error) => {
      const log = pushes.map((p) => `${p.mutations.length} mutations, ${p.bytes} bytes → ${p.status}`).join("\n");
      await test.info().attach("pushes", { body: log, contentType: "text/plain" });
      throw error;
    });
  await expect(pending).toHaveAttribute("data-pending", "0");

  // The first push held the whole outbox, every text at full length, and was over the limit.
  const [refused, ...later] = pushes;
  expect(refused.status).toBe(413);
  expect(await refused.error).toBe("body_too_large");
  expect(refused.bytes).toBeGreaterThan(MAX_BODY_BYTES);
  expect(refused.mutations.map((m) => m.payload.resident_name).sort()).toEqual([...names].sort());
  expect(refused.mutations.every((m) => m.payload.description === DESCRIPTION && m.payload.place === PLACE)).toBe(true);

  // Then smaller batches, which between them delivered each entry exactly once.
  const accepted = later.filter((p) => p.status === 200);
  for (const push of accepted) expect(push.mutations.length).toBeLessThan(COUNT);
  const delivered = accepted.flatMap((p) => p.mutations.map((m) => m.id));
  expect(delivered.sort()).toEqual(refused.mutations.map((m) => m.id).sort());

  const stored = await serverHelpRequests(server);
  expect(stored.map((r) => r.resident_name).sort()).toEqual([...names].sort());
  expect(stored.every((r) => r.description === DESCRIPTION && r.place === PLACE)).toBe(true);
});
