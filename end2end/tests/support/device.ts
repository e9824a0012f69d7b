import { Page } from "@playwright/test";
import { PIN } from "./server";

/**
 * The signed-in person's data key on this device, opened with their PIN as the app opens it — PBKDF2 and
 * AES-GCM in WebCrypto, from the key ring the app keeps in localStorage — so a test can read and write
 * the sealed store the way the app does, and shows that the format is plain WebCrypto AES-GCM.
 */
export async function dataKey(page: Page, pin: string = PIN): Promise<number[]> {
  return page.evaluate(async (pin) => {
    const account = JSON.parse(localStorage.getItem("sasiedzi.account")!);
    const ring = JSON.parse(localStorage.getItem(`sasiedzi.keyring.${account.id}`)!);
    const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
    const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveKey"]);
    const pinKey = await crypto.subtle.deriveKey(
      { name: "PBKDF2", salt: hex(ring.pin.salt), iterations: ring.pin.rounds, hash: "SHA-256" },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["decrypt"],
    );
    const sealed = hex(ring.pin.sealed);
    const raw = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.slice(0, 12) }, pinKey, sealed.slice(12));
    return Array.from(new Uint8Array(raw));
  }, pin);
}

/**
 * What the signed-in person's database on this device holds, store by store: the values of each store
 * named, read straight from IndexedDB and opened with the data key (so a test sees what a reload would
 * find, not what the page shows). Photo bytes come as `{ key, bytes }`.
 */
export async function localRecords(page: Page, stores: string[]): Promise<Record<string, any[]>> {
  const key = await dataKey(page);
  return page.evaluate(
    async ({ stores, key }) => {
      const account = JSON.parse(localStorage.getItem("sasiedzi.account")!);
      const dataKey = await crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, ["decrypt"]);
      const open = async (sealed: Uint8Array) =>
        new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.slice(0, 12) }, dataKey, sealed.slice(12)));
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(`sasiedzi-${account.id}`);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const read = (store: string) =>
        new Promise<[IDBValidKey[], any[]]>((resolve, reject) => {
          const tx = db.transaction(store);
          const keys = tx.objectStore(store).getAllKeys();
          const values = tx.objectStore(store).getAll();
          tx.oncomplete = () => resolve([keys.result, values.result]);
          tx.onerror = () => reject(tx.error);
        });
      const found: Record<string, any[]> = {};
      for (const store of stores) {
        const [keys, values] = await read(store);
        found[store] = [];
        for (const [n, value] of values.entries()) {
          const opened = value?.sealed instanceof Uint8Array ? await open(value.sealed) : value;
          found[store].push(
            store === "photo_blobs"
              ? { key: String(keys[n]), bytes: Array.from(opened) }
              : opened instanceof Uint8Array
                ? JSON.parse(new TextDecoder().decode(opened))
                : opened,
          );
        }
      }
      db.close();
      return found;
    },
    { stores, key },
  );
}

/**
 * Everything this origin keeps in the browser's storage, as text: every value of every store of every
 * database (bytes read as Latin-1, so plain text inside them shows) and all of localStorage — what someone
 * who took the device and read its storage would see.
 */
export async function storageDump(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const text = (value: unknown): string =>
      value instanceof Uint8Array || value instanceof ArrayBuffer
        ? Array.from(new Uint8Array(value as ArrayBuffer), (b) => String.fromCharCode(b)).join("")
        : value instanceof Blob
          ? "[blob]"
          : value !== null && typeof value === "object"
            ? Object.entries(value).map(([k, v]) => `${k}:${text(v)}`).join(",")
            : String(value);
    const parts: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name!);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const values = await new Promise<any[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        parts.push(`${name}/${store}: ${values.map(text).join(" | ")}`);
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) parts.push(`${localStorage.key(i)}=${localStorage.getItem(localStorage.key(i)!)}`);
    return parts.join("\n");
  });
}
