import { Page } from "@playwright/test";
import { dataKey } from "./device";
import { ACCOUNTS, AppServer, apiAs } from "./server";

/** The fields of a help request as the form saves them. */
export type RequestFields = { resident_name: string; district: string; category: string; description: string; place?: string };

/**
 * Queues help requests with `requests`' fields in the browser's store as the app saves them (the record and
 * its outbox entry, sealed under the person's data key), for a benchmark or a test that needs more entries
 * than typing allows in its time; the page sees them after a reload. The form's own save is what every
 * other test uses.
 */
export async function queueHelpRequests(page: Page, requests: RequestFields[]) {
  const key = await dataKey(page);
  await page.evaluate(async ({ requests, key }) => {
    const sealing = await crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, ["encrypt"]);
    const seal = async (value: object) => {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, sealing, new TextEncoder().encode(JSON.stringify(value)));
      const sealed = new Uint8Array(12 + ciphertext.byteLength);
      sealed.set(iv);
      sealed.set(new Uint8Array(ciphertext), 12);
      return sealed;
    };
    const uuidv7 = (ms: number, n: number) => {
      const hex = ms.toString(16).padStart(12, "0") + "7" + n.toString(16).padStart(19, "0");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    };
    // Each person has their own database on the device.
    const account = JSON.parse(localStorage.getItem("sasiedzi.account")!);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`sasiedzi-${account.id}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // Sealed first: WebCrypto's promises would let a transaction commit before its writes.
    const now = Date.now();
    const sealed = await Promise.all(
      requests.map(async (fields, n) => {
        const recorded_at = new Date(now + n).toISOString();
        const id = uuidv7(now + n, 2 * n);
        const mutationId = uuidv7(now + n, 2 * n + 1);
        return {
          record: { id, sealed: await seal({ id, ...fields, status: "awaiting_approval", recorded_at }) },
          entry: {
            mutation: { id: mutationId },
            sealed: await seal({
              mutation: { id: mutationId, kind: "help_request.create", recorded_at, payload: { help_request_id: id, ...fields } },
              entity_id: id,
              state: { state: "pending" },
            }),
          },
        };
      }),
    );
    const tx = db.transaction(["help_requests", "outbox"], "readwrite");
    for (const { record, entry } of sealed) {
      tx.objectStore("help_requests").put(record);
      tx.objectStore("outbox").put(entry);
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, { requests, key });
}

export type ServerHelpRequest = { id: string; resident_name: string; description: string; place?: string };

/** The help requests the server holds, read through the pull API as an organiser (who sees all). */
export async function serverHelpRequests(server: AppServer): Promise<ServerHelpRequest[]> {
  const { api } = await apiAs(server, ACCOUNTS.organiser.username);
  const requests: ServerHelpRequest[] = [];
  for (let since = 0, more = true; more; ) {
    const page = await (await api.get(`/api/v1/sync/pull?since=${since}&limit=1000`)).json();
    for (const change of page.changes) if (change.entity === "help_request") requests.push(change.data);
    [since, more] = [page.next_cursor, page.has_more];
  }
  await api.dispose();
  return requests;
}

/** How many help requests the server holds. */
export async function serverHelpRequestCount(server: AppServer) {
  return (await serverHelpRequests(server)).length;
}
