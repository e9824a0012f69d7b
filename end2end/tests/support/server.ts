import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test as base, expect, Page, request, APIRequestContext } from "@playwright/test";

const ROOT = path.resolve(__dirname, "../../..");

export const PASSWORD = "zielona łąka 2026";
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
    readonly binary: string,
    readonly siteRoot: string,
  ) {}

  static async create(
    binary = path.join(ROOT, "target/debug/server"),
    siteRoot = path.join(ROOT, "target/site"),
    { withAccounts = true } = {},
  ) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "sasiedzi-e2e-"));
    const server = new AppServer(await freePort(), dataDir, binary, siteRoot);
    if (withAccounts) for (const account of Object.values(ACCOUNTS)) server.cli("create-user", "--username", account.username, "--display-name", account.displayName, "--role", account.role);
    await server.start();
    return server;
  }

  /** Runs one of the server's command-line tasks against this server's data directory. */
  cli(...args: string[]) {
    const run = spawnSync(this.binary, [...args, "--data-dir", this.dataDir], {
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

  /** Starts (or restarts, keeping the data) the server and waits until it answers. */
  async start(binary = this.binary, siteRoot = this.siteRoot) {
    const child = spawn(binary, ["--addr", `127.0.0.1:${this.port}`, "--data-dir", this.dataDir], {
      cwd: ROOT,
      env: { ...process.env, LEPTOS_SITE_ROOT: siteRoot, RUST_LOG: "warn" },
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
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

/** Console messages that mean the app itself broke (not the expected network errors while offline). */
export function watchForAppErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && /panicked|hydration|unreachable|RuntimeError/i.test(text)) errors.push(text);
  });
  return errors;
}

/** Signs in through the sign-in page and waits for the list it lands on. */
export async function signIn(page: Page, origin: string, username: string = ACCOUNTS.volunteer.username) {
  if (!page.url().endsWith("/login")) await page.goto(`${origin}/login`);
  await page.getByLabel("Nazwa użytkownika").fill(username);
  await page.getByLabel("Hasło").fill(PASSWORD);
  await page.getByRole("button", { name: "Zaloguj się" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Prośby o pomoc" })).toBeVisible();
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

export const test = base.extend<{ server: AppServer }>({
  server: async ({}, use) => {
    const server = await AppServer.create();
    await use(server);
    await server.dispose();
  },
});

export { expect };
