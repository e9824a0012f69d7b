// Sąsiedzi service worker. The server prepends BUILD, ROUTES and ASSETS for the running build, so each
// deploy is a new worker with its own cache: a page is always served HTML, JS and WASM of one build.
const CACHE = `sasiedzi-${BUILD}`;
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // `reload` skips the HTTP cache: the precache must hold this build's files, not stale copies.
      .then((cache) => cache.addAll([...ROUTES, ...ASSETS].map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  // Old builds' caches go only now, after this build's cache is complete. Pages already open keep the
  // JS and WASM they loaded; their next load is all of this build.
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("sasiedzi-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// `clients.claim()` on activate misses a page whose navigation was in flight at that moment (seen in
// Chromium): such a page would stay uncontrolled until its next load. The app asks once it sees the worker
// active and itself uncontrolled.
self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Data never comes from this cache: the app keeps its own offline copy in IndexedDB.
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz" || url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else {
    event.respondWith(asset(request));
  }
});

// Pages: the network first, for fresh server-rendered HTML; the cached copy of the same route offline.
async function page(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok) await cache.put(url.pathname, response.clone());
    return response;
  } catch (_) {
    const cached = await cache.match(url.pathname);
    if (cached) return cached;
    // A route never opened online: the list, rather than a browser error page.
    return Response.redirect("/", 302);
  }
}

// Build files have hashed names and never change: the cache first.
async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
