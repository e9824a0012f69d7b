import { defineConfig, devices } from "@playwright/test";

// Each test starts its own server on a free port with its own data directory (tests/support/server.ts), so
// tests can take the network away by stopping it, and any two tests can run side by side: two workers, one
// per core, each with its own Chromium. The build under test is SASIEDZI_E2E_PROFILE (release by default).
export default defineConfig({
  testDir: "./tests",
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    ...devices["Desktop Chrome"],
    // A phone: the volunteer at a resident's door.
    viewport: { width: 390, height: 844 },
    isMobile: false,
    hasTouch: true,
    locale: "pl-PL",
    serviceWorkers: "allow",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
