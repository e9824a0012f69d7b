import { defineConfig, devices } from "@playwright/test";

// Each test starts its own server on a free port with its own data directory (tests/support/server.ts), so
// tests can take the network away by stopping it. Any two tests could run side by side, but on this
// project's two cores two workers took longer than one (4:00 against 3:30 for the whole suite): one worker.
// The build under test is SASIEDZI_E2E_PROFILE (release by default) with SASIEDZI_E2E_SERVER's binary.
export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
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
