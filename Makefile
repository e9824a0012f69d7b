# The two commands of the README: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

ADDR ?= 127.0.0.1:3000
DATA_DIR ?= data

# Leptos reads this at compile time; setting it for every cargo call lets plain cargo and cargo-leptos
# share build artefacts instead of rebuilding each other's.
export LEPTOS_OUTPUT_NAME := sasiedzi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
TOOLS := source scripts/env.sh &&

.PHONY: run test setup build release lint rust-test e2e bench

setup:
	@bash scripts/setup.sh

## Build the release site and serve it on $(ADDR) with SQLite under $(DATA_DIR).
run: setup release
	$(TOOLS) LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site ./target/release/server --addr $(ADDR) --data-dir $(DATA_DIR)

release:
	$(TOOLS) cargo leptos build --release

build:
	$(TOOLS) cargo leptos build

## Everything CI checks: formatting, lints of both feature sets, Rust tests, browser tests, and that the
## release build `make run` serves still compiles (release views keep types the debug build erases).
test: setup lint rust-test e2e release

lint:
	$(TOOLS) cargo fmt --all --check
	$(TOOLS) cargo clippy -p domain -p app -p server --features app/ssr --all-targets -- -D warnings
	$(TOOLS) cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

rust-test:
	$(TOOLS) cargo test -p domain -p app -p server --features app/ssr

e2e: build
	$(TOOLS) cd end2end && npx playwright test

## Sync throughput on loopback (see bench/README.md).
bench: setup release
	$(TOOLS) bash bench/sync-push.sh
