import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { expect, openOnline, signIn, test } from "./support/server";

test("the app is installable: manifest, icons and a service worker controlling the page", async ({
  server,
  launchOptions,
}) => {
  // Chromium never offers to install from an incognito profile, which is what a plain test context is.
  const profile = mkdtempSync(path.join(os.tmpdir(), "sasiedzi-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    ...launchOptions,
    serviceWorkers: "allow",
    viewport: { width: 390, height: 844 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await openOnline(page, server.url);

  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(manifestHref).toBe("/manifest.webmanifest");
  const manifest = await (await page.request.get(`${server.url}${manifestHref}`)).json();
  expect(manifest).toMatchObject({ short_name: "Sąsiedzi", lang: "pl", display: "standalone", start_url: "/" });
  const icons: { sizes: string; purpose: string; src: string }[] = manifest.icons;
  expect(icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(
    expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]),
  );
  for (const icon of icons) expect((await page.request.get(`${server.url}${icon.src}`)).status()).toBe(200);

  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toBe(`${server.url}/`);

  // Chromium's own verdict, the one behind its install prompt.
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});

test("a page whose load began before the service worker was active is taken over by it once it is", async ({
  server,
  page,
  context,
}) => {
  // The app registers its worker on every page; here only the test does, at the moment it chooses.
  await context.addInitScript(() => {
    const register = ServiceWorkerContainer.prototype.register;
    Object.assign(window, { registerWorker: () => register.call(navigator.serviceWorker, "/sw.js") });
    ServiceWorkerContainer.prototype.register = function (...args) {
      return location.pathname === "/my" ? register.apply(this, args) : new Promise(() => {});
    };
  });
  await signIn(page, server.url);

  // The next page load goes to the network while the worker installs, and is held until the worker is
  // active: the worker's claim on activation cannot reach a page that does not exist yet.
  let releasePage = () => {};
  const pageHeld = new Promise<void>((resolve) => (releasePage = resolve));
  let loadStarted = () => {};
  const pageRequested = new Promise<void>((resolve) => (loadStarted = resolve));
  await page.route(`${server.url}/my`, async (route) => {
    loadStarted();
    await pageHeld;
    await route.continue();
  });
  const started = context.waitForEvent("serviceworker");
  await page.evaluate(() => (window as unknown as { registerWorker: () => Promise<unknown> }).registerWorker());
  const load = page.goto(`${server.url}/my`);
  await pageRequested;
  const worker = await started;
  await expect
    .poll(() => worker.evaluate(() => (self as unknown as ServiceWorkerGlobalScope).registration.active?.state))
    .toBe("activated");
  releasePage();
  await load;

  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
});

test("healthz answers ok with the version", async ({ server, request }) => {
  const response = await request.get(`${server.url}/healthz`);
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", version: expect.any(String) });
});
