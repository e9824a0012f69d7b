import { Page } from "@playwright/test";
import { ACCOUNTS, AppServer, apiAs } from "./server";

/** The fields of a help request as the form saves them. */
export type RequestFields = { resident_name: string; district: string; category: string; description: string; place?: string };

/**
 * Queues help requests with `requests`' fields in the browser's store as the app saves them (the record and
 * its outbox entry), for a benchmark or a test that needs more entries than typing allows in its time; the
 * page sees them after a reload. The form's own save is what every other test uses.
 */
export async function queueHelpRequests(page: Page, requests: RequestFields[]) {
  await page.evaluate(async (requests) => {
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
    const tx = db.transaction(["help_requests", "outbox"], "readwrite");
    const now = Date.now();
    requests.forEach((fields, n) => {
      const recorded_at = new Date(now + n).toISOString();
      const id = uuidv7(now + n, 2 * n);
      tx.objectStore("help_requests").put({ id, ...fields, status: "awaiting_approval", recorded_at });
      tx.objectStore("outbox").put({
        mutation: { id: uuidv7(now + n, 2 * n + 1), kind: "help_request.create", recorded_at, payload: { help_request_id: id, ...fields } },
        entity_id: id,
        state: { state: "pending" },
      });
    });
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, requests);
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
