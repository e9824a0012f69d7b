import { Page } from "@playwright/test";

/**
 * What the signed-in person's database on this device holds, store by store: the records of each store
 * named, read straight from IndexedDB (so a test sees what a reload would find, not what the page shows).
 */
export async function localRecords(page: Page, stores: string[]): Promise<Record<string, any[]>> {
  return page.evaluate(async (stores) => {
    const account = JSON.parse(localStorage.getItem("sasiedzi.account")!);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(`sasiedzi-${account.id}`);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const read = (store: string) =>
      new Promise<any[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const found: Record<string, any[]> = {};
    for (const store of stores) found[store] = await read(store);
    db.close();
    return found;
  }, stores);
}
