import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test as base, expect, BrowserContext, BrowserType, Locator, Page, request, APIRequestContext } from "@playwright/test";

const ROOT = path.resolve(__dirname, "../../..");

/**
 * What a server runs: its binary, and the site it serves with the hash file that names the site's files
 * (cargo-leptos writes it beside the server binary; the server is told where it is).
 */
export type Build = { binary: string; hashFile: string; siteRoot: string };

/**
 * The build the suite runs against, chosen once here. `SASIEDZI_E2E_PROFILE` names the site: `release` (the
 * default, what `make run` serves) or `debug` (the dev site of `make build`). The server is that profile's
 * binary, or `SASIEDZI_E2E_SERVER` (`make test` runs the release site with the server binary its Rust tests
 * just built, rather than compiling the whole server again with release optimisations).
 */
const PROFILE = process.env.SASIEDZI_E2E_PROFILE ?? "release";
if (PROFILE !== "release" && PROFILE !== "debug") throw new Error(`SASIEDZI_E2E_PROFILE must be release or debug, not ${PROFILE}`);
/**
 * Where cargo wrote the binaries and cargo-leptos the hash file: `CARGO_TARGET_DIR` when set (a target
 * shared by several checkouts). The site itself stays under this checkout's `target/site` either way.
 */
const TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR ?? "target");
export const BUILD: Build = {
  binary: path.resolve(ROOT, process.env.SASIEDZI_E2E_SERVER ?? path.join(TARGET, PROFILE, "server")),
  hashFile: path.join(TARGET, PROFILE, "hash.txt"),
  siteRoot: path.join(ROOT, "target/site"),
};

export const PASSWORD = "zielona łąka 2026";
/** The PIN every test person chooses when the app asks (a test of the lock itself chooses its own). */
export const PIN = "2580";
/** Accounts every test server starts with (created through `server create-user`). */
export const ACCOUNTS = {
  volunteer: { username: "wolontariusz", displayName: "Wanda Wolontariusz", role: "volunteer" },
  otherVolunteer: { username: "sasiadka", displayName: "Sabina Sąsiadka", role: "volunteer" },
  organiser: { username: "organizator", displayName: "Olga Organizator", role: "organiser" },
  coordinator: { username: "koordynator", displayName: "Kamil Koordynator", role: "coordinator" },
} as const;

/** A real Sąsiedzi server on a free loopback port with its own SQLite data directory. */
export class AppServer {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private build: Build,
  ) {}

  static async create(build: Build = BUILD, { withAccounts = true } = {}) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "sasiedzi-e2e-"));
    const server = new AppServer(await freePort(), dataDir, build);
    if (withAccounts) for (const account of Object.values(ACCOUNTS)) server.cli("create-user", "--username", account.username, "--display-name", account.displayName, "--role", account.role);
    await server.start();
    return server;
  }

  /** Runs one of the server's command-line tasks against this server's data directory. */
  cli(...args: string[]) {
    const run = spawnSync(this.build.binary, [...args, "--data-dir", this.dataDir], {
      cwd: ROOT,
      input: `${PASSWORD}\n`,
      encoding: "utf8",
      env: { ...process.env, RUST_LOG: "warn" },
    });
    if (run.status !== 0) throw new Error(`server ${args.join(" ")} failed: ${run.stderr}`);
    return run.stdout;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, keeping the data) the server, of `build` from now on, and waits until it answers. */
  async start(build: Build = this.build) {
    this.build = build;
    const child = spawn(build.binary, ["--addr", `127.0.0.1:${this.port}`, "--data-dir", this.dataDir], {
      cwd: ROOT,
      env: { ...process.env, LEPTOS_SITE_ROOT: build.siteRoot, LEPTOS_HASH_FILE_NAME: build.hashFile, RUST_LOG: "warn" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`server exited early with ${code}`))),
    );
    await Promise.race([waitForHealthz(this.url), exited]);
  }

  /** Takes the network away: the server process is gone, for the page and its service worker alike. */
  async stop() {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  async dispose() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A free loopback port from a block of its own for each parallel worker, below the kernel's ephemeral range
 * (32768 and up, where `listen(0)` and outgoing connections draw from): while a test has stopped its server
 * to take the network away, no other test or connection can take the port it restarts on.
 */
let nextPort = 0;
async function freePort(): Promise<number> {
  const block = 20_000 + (Number(process.env.TEST_PARALLEL_INDEX ?? 0) % 12) * 1000;
  for (let tries = 0; tries < 1000; tries++) {
    const port = block + (nextPort++ % 1000);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${block}–${block + 999}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function waitForHealthz(url: string) {
  await expect
    .poll(
      async () => {
        try {
          return (await fetch(`${url}/healthz`)).status;
        } catch {
          return 0;
        }
      },
      { timeout: 30_000, intervals: [100] },
    )
    .toBe(200);
}

/** Signs in through the sign-in page and waits for the list it lands on. */
export async function signIn(page: Page, origin: string, username: string = ACCOUNTS.volunteer.username) {
  if (!page.url().endsWith("/login")) await page.goto(`${origin}/login`);
  await page.getByLabel("Nazwa użytkownika").fill(username);
  await page.getByLabel("Hasło").fill(PASSWORD);
  await page.getByRole("button", { name: "Zaloguj się" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Prośby o pomoc" })).toBeVisible();
  // A device new to this person asks for a PIN as the list appears; the lock handler answers it (before
  // this check) so that a navigation next does not find the app still waiting for one.
  await expect(page.locator(".lock-screen")).toHaveCount(0);
}

/**
 * Follows a link of the main navigation as a person would: on a phone it is folded behind the "Menu"
 * button, which opens it first.
 */
export async function navigateTo(page: Page, name: string | RegExp) {
  await useNavigation(page, page.getByRole("navigation").getByRole("link", { name }));
}

/** Locks the app with the navigation's "Zablokuj", as a person handing the phone over would. */
export async function lockApp(page: Page) {
  await useNavigation(page, page.getByRole("navigation").getByRole("button", { name: "Zablokuj" }));
}

async function useNavigation(page: Page, item: Locator) {
  const menu = page.getByRole("button", { name: /^Menu\b/ });
  await expect(item.or(menu).first()).toBeVisible();
  if (!(await item.isVisible())) await menu.click();
  await item.click();
}

/** First visit online, signed in: the service worker takes control and the dictionaries arrive. */
export async function openOnline(page: Page, url: string, username: string = ACCOUNTS.volunteer.username) {
  await signIn(page, new URL(url).origin, username);
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await expect(page.getByTestId("last-sync")).toHaveAttribute("data-synced", "true");
}

/** The API as `username` would call it from a browser: session cookie plus the CSRF header on writes. */
export async function apiAs(server: AppServer, username: string): Promise<{ api: APIRequestContext; csrf: string }> {
  const api = await request.newContext({ baseURL: server.url });
  await api.get("/api/v1/session");
  const csrfOf = async () => (await api.storageState()).cookies.find((c) => c.name === "sasiedzi_csrf")!.value;
  const signedIn = await api.post("/api/v1/session", {
    data: { username, password: PASSWORD },
    headers: { "x-csrf-token": await csrfOf() },
  });
  expect(signedIn.status()).toBe(200);
  return { api, csrf: await csrfOf() };
}

const unlockHandlers = new WeakMap<Page, Locator[]>();

/**
 * Answers the app lock as its person would, whenever it covers the page before an action or an assertion:
 * chooses `PIN` on a device new to them, and types it when the app is locked. Every page of every context
 * gets it (`_watchForAppErrors`); a test of the lock itself takes it away (`unlockByHand`).
 */
function unlockAutomatically(page: Page) {
  const choose = page.getByRole("dialog", { name: /^(Ustaw PIN|Choose a PIN)$/ });
  const locked = page.getByRole("dialog", { name: /^(Aplikacja zablokowana|The app is locked)$/ });
  unlockHandlers.set(page, [choose, locked]);
  void page.addLocatorHandler(choose, async () => {
    await choose.getByLabel(/^(Nowy PIN|New PIN)$/).fill(PIN);
    await choose.getByLabel(/^(Powtórz PIN|Repeat the PIN)$/).fill(PIN);
    await choose.getByRole("button", { name: /^(Ustaw PIN|Set the PIN)$/ }).click();
  });
  void page.addLocatorHandler(locked, async () => {
    await locked.getByLabel("PIN", { exact: true }).fill(PIN);
    await locked.getByRole("button", { name: /^(Odblokuj|Unlock)$/ }).click();
  });
}

/** The test answers the lock on `page` itself from now on. */
export async function unlockByHand(page: Page) {
  for (const dialog of unlockHandlers.get(page) ?? []) await page.removeLocatorHandler(dialog);
}

/**
 * Console errors that mean the app itself broke, not the expected network errors while offline: a Rust
 * panic (the panic hook prints "panicked at …"), Leptos's hydration mismatch report (debug builds print "A
 * hydration error occurred …" and panic with "Unrecoverable hydration error"; release builds panic with
 * "entered unreachable code"), and the wasm trap that ends a panic ("RuntimeError: unreachable").
 */
const APP_ERROR = /panicked|hydration|unreachable|RuntimeError/i;

/**
 * Replaces `owner[name]` with `wrapped` until the returned function restores it: the browser types live for
 * the whole worker, the wrapping for one test.
 */
function wrapMethod<T extends object, K extends keyof T>(owner: T, name: K, wrapped: T[K]): () => unknown {
  const own = Object.getOwnPropertyDescriptor(owner, name);
  owner[name] = wrapped;
  return () => (own ? Object.defineProperty(owner, name, own) : Reflect.deleteProperty(owner, name));
}

type AppErrorFixtures = {
  /**
   * Page errors a test provokes on purpose (`test.use({ expectedAppErrors: [/…/] })`): each pattern must
   * match at least one error, and the errors it matches do not fail the test.
   */
  expectedAppErrors: RegExp[];
  /** Watches a browser context for app errors: done for every context a test opens, never by hand. */
  _watchForAppErrors: (context: BrowserContext) => BrowserContext;
};

export const test = base.extend<{ server: AppServer } & AppErrorFixtures>({
  expectedAppErrors: [[], { option: true }],

  // Every test fails on an uncaught page error or a broken hydration in any page of any browser context it
  // opens: the default one, a second device from `browser.newContext()` or `browser.newPage()`, and a
  // profile from `chromium.launchPersistentContext()`. Listening per context covers pages opened later too.
  _watchForAppErrors: [
    async ({ browser, playwright, expectedAppErrors }, use) => {
      const errors: string[] = [];
      const watched = new WeakSet<BrowserContext>();
      const stillOpen = new Set<BrowserContext>();
      const watch = (context: BrowserContext) => {
        if (watched.has(context)) return context;
        watched.add(context);
        stillOpen.add(context);
        context.pages().forEach(unlockAutomatically);
        context.on("page", unlockAutomatically);
        context.on("close", () => stillOpen.delete(context));
        // The first lines of a stack are enough to tell where; the trace of a failed test has the rest.
        const report = (where: string, text: string) => errors.push(`${where}: ${text.split("\n").slice(0, 6).join("\n")}`);
        context.on("weberror", (error) => report(error.page()?.url() ?? "page", error.error().stack ?? error.error().message));
        context.on("console", (message) => {
          if (message.type() === "error" && APP_ERROR.test(message.text())) report(message.page()?.url() ?? "console", message.text());
        });
        return context;
      };
      // The worker's browser announces each new context before the test gets it; a browser or profile the
      // test launches itself is watched as it is launched.
      browser.on("context", watch);
      const restores: (() => unknown)[] = [() => browser.off("context", watch)];
      for (const browserType of [playwright.chromium, playwright.firefox, playwright.webkit] as BrowserType[]) {
        const { launch, launchPersistentContext } = browserType;
        restores.push(
          wrapMethod(browserType, "launch", async (...args) => (await launch.apply(browserType, args)).on("context", watch)),
          wrapMethod(browserType, "launchPersistentContext", async (...args) => watch(await launchPersistentContext.apply(browserType, args))),
        );
      }

      await use(watch);

      for (const restore of restores) restore();
      // Playwright closes only the default context; others a test left open would live on in the worker's browser.
      await Promise.all([...stillOpen].map((context) => context.close()));
      const unexpected = errors.filter((error) => !expectedAppErrors.some((pattern) => pattern.test(error)));
      const missing = expectedAppErrors.filter((pattern) => !errors.some((error) => pattern.test(error)));
      if (unexpected.length > 0) throw new Error(`The app broke in the browser:\n${unexpected.join("\n")}`);
      if (missing.length > 0) throw new Error(`Expected app errors that never happened: ${missing.join(", ")}`);
    },
    { auto: true },
  ],

  context: async ({ context, _watchForAppErrors }, use) => {
    await use(_watchForAppErrors(context));
  },

  server: async ({}, use) => {
    const server = await AppServer.create();
    await use(server);
    await server.dispose();
  },
});

export { expect };
