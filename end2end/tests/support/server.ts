import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test as base, expect, Page } from "@playwright/test";

const ROOT = path.resolve(__dirname, "../../..");

/** A real Sąsiedzi server on a free loopback port with its own SQLite data directory. */
export class AppServer {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly binary: string,
    readonly siteRoot: string,
  ) {}

  static async create(binary = path.join(ROOT, "target/debug/server"), siteRoot = path.join(ROOT, "target/site")) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "sasiedzi-e2e-"));
    const server = new AppServer(await freePort(), dataDir, binary, siteRoot);
    await server.start();
    return server;
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

/** First visit online: the service worker takes control and the dictionaries arrive. */
export async function openOnline(page: Page, url: string) {
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await expect(page.getByTestId("last-sync")).toHaveAttribute("data-synced", "true");
}

export const test = base.extend<{ server: AppServer }>({
  server: async ({}, use) => {
    const server = await AppServer.create();
    await use(server);
    await server.dispose();
  },
});

export { expect };
