import { defineConfig } from "@playwright/test";
import base from "../end2end/playwright.config";

// Benchmarks reuse the browser tests' Chromium setup and support code; they print figures and check only
// that the work was done, never how fast.
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "*.bench.ts",
  timeout: 600_000,
  outputDir: "../target/bench-results",
});
