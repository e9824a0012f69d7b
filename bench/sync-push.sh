#!/usr/bin/env bash
# Benchmarks of the release build: asset sizes, 1,000 mutations synced end to end on loopback, and the
# request list filtered over 5,000 local requests (every *.bench.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
node bench/asset-sizes.mjs target/site/pkg
# The benchmark imports the browser tests' support code, which resolves its packages from end2end/.
NODE_PATH="$PWD/end2end/node_modules" end2end/node_modules/.bin/playwright test --config bench/playwright.config.ts
