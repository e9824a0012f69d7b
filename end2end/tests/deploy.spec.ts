import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Build, BUILD, expect, navigateTo, openOnline, test } from "./support/server";

type Deploy = Build & { js: string; wasm: string; id: string };

function currentBuild(): Deploy {
  const hashes = Object.fromEntries(
    readFileSync(BUILD.hashFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(":").map((part) => part.trim())),
  );
  return {
    ...BUILD,
    js: `/pkg/sasiedzi.${hashes.js}.js`,
    wasm: `/pkg/sasiedzi.${hashes.wasm}.wasm`,
    id: `${hashes.js}-${hashes.wasm}-${hashes.css}`,
  };
}

/** A second deploy: the same files under new hashed names, as cargo-leptos would write after a change. */
function nextBuild(dir: string): Deploy {
  const suffix = "next";
  const hashes: Record<string, string> = {};
  const original = readFileSync(BUILD.hashFile, "utf8");
  const lines = original.trim().split("\n").map((line) => {
    const [kind, hash] = line.split(":").map((part) => part.trim());
    hashes[kind] = hash;
    return `${kind}: ${hash}${suffix}`;
  });
  const hashFile = path.join(dir, "hash.txt");
  writeFileSync(hashFile, lines.join("\n") + "\n");
  const siteRoot = path.join(dir, "site");
  cpSync(BUILD.siteRoot, siteRoot, { recursive: true });
  for (const name of readdirSync(path.join(siteRoot, "pkg"))) {
    for (const [kind, hash] of Object.entries(hashes)) {
      if (name === `sasiedzi.${hash}.${kind}`) {
        renameSync(path.join(siteRoot, "pkg", name), path.join(siteRoot, "pkg", `sasiedzi.${hash}${suffix}.${kind}`));
      }
    }
  }
  return {
    binary: BUILD.binary,
    hashFile,
    siteRoot,
    js: `/pkg/sasiedzi.${hashes.js}${suffix}.js`,
    wasm: `/pkg/sasiedzi.${hashes.wasm}${suffix}.wasm`,
    id: `${hashes.js}${suffix}-${hashes.wasm}${suffix}-${hashes.css}${suffix}`,
  };
}

test("a new deploy replaces the cached build whole: offline afterwards, only the new JS and WASM load", async ({
  server,
  page,
  context,
}) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sasiedzi-deploy-"));
  const first = currentBuild();
  const second = nextBuild(dir);
  const cacheNames = () => page.evaluate(async () => (await caches.keys()).sort());

  await openOnline(page, server.url);
  await expect.poll(cacheNames).toEqual([`sasiedzi-${first.id}`]);

  await server.stop();
  await server.start(second);
  await page.reload();
  // The browser notices the new worker on navigation; it precaches the new build, then drops the old one.
  await expect.poll(cacheNames, { timeout: 30_000 }).toEqual([`sasiedzi-${second.id}`]);

  await server.stop();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Prośby o pomoc");
  const loaded = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname),
  );
  expect(loaded).toEqual(expect.arrayContaining([second.js, second.wasm]));
  expect(loaded).not.toContain(first.js);
  expect(loaded).not.toContain(first.wasm);
  // Hydrated and working offline: client-side navigation and the synced dictionaries.
  await navigateTo(page, "Nowa prośba");
  await expect(page.getByLabel("Osiedle").locator("option")).toHaveCount(9);
  rmSync(dir, { recursive: true, force: true });
});
