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
# A build from scratch gains nothing from incremental data, which costs time and grows target/ by
# gigabytes; `CARGO_INCREMENTAL=1 make …` turns it on for an edit-compile loop.
export CARGO_INCREMENTAL ?= 0
# The build the browser tests run against: the release `make run` serves (`debug` after `make build`).
export SASIEDZI_E2E_PROFILE ?= release
TOOLS := source scripts/env.sh &&

.PHONY: run test setup build release lint rust-test checks e2e bench

setup:
	@bash scripts/setup.sh

## Build the release site and serve it on $(ADDR) with SQLite under $(DATA_DIR).
run: setup release
	$(TOOLS) LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site ./target/release/server --addr $(ADDR) --data-dir $(DATA_DIR)

## The site `make run` serves. cargo-leptos builds the WASM first, then the server; the server's compile runs
## alongside the WASM's long single-threaded steps (one codegen unit, LTO, wasm-opt), so cargo-leptos finds it
## built (or waits for it) instead of starting it afterwards.
release:
	$(TOOLS) { cargo build --quiet --release --package=server --bin=server --no-default-features & \
	  server=$$!; site=0; cargo leptos build --release || site=$$?; wait $$server || true; exit $$site; }

build:
	$(TOOLS) cargo leptos build

## Everything CI checks: formatting, lints of both feature sets, Rust tests, the release build that
## `make run` serves, then the browser tests against it. Prints how long each step took (the lints and Rust
## tests run beside the release build).
test:
	@scripts/timed.sh --start
	@scripts/timed.sh setup $(MAKE) --no-print-directory setup
	@$(MAKE) --no-print-directory --jobs=2 --output-sync=recurse checks timed-release
	@scripts/timed.sh e2e $(MAKE) --no-print-directory e2e
	@scripts/timed.sh --summary

# Two lanes that share no build directory and fill each other's single-threaded stretches (the release's
# one-codegen-unit WASM and LTO, clippy's and the tests' largest crates): the lints then the Rust tests in
# target/debug (one after the other, as they share its proc macros and build scripts, and cargo locks it),
# and the release in target/front and target/release. Each lane prints its output when done.
checks:
	@scripts/timed.sh lint $(MAKE) --no-print-directory lint
	@scripts/timed.sh rust-test $(MAKE) --no-print-directory rust-test

timed-%:
	@scripts/timed.sh $* $(MAKE) --no-print-directory $*

lint:
	$(TOOLS) cargo fmt --all --check
	$(TOOLS) cargo clippy -p domain -p app -p server --features app/ssr --all-targets -- -D warnings
	$(TOOLS) cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

rust-test:
	$(TOOLS) cargo test -p domain -p app -p server --features app/ssr

## Browser tests against the build named by SASIEDZI_E2E_PROFILE (run `make release` or `make build` first).
e2e:
	$(TOOLS) cd end2end && npx playwright test

## Sync throughput on loopback (see bench/README.md).
bench: setup release
	$(TOOLS) bash bench/sync-push.sh
