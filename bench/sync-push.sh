#!/usr/bin/env bash
# Benchmarks of the release build: asset sizes, and 1,000 mutations pushed end to end on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
node bench/asset-sizes.mjs target/site/pkg
node bench/sync-push.mjs "$PWD/target/release/server" "$PWD/target/site" "${COUNT:-1000}"
