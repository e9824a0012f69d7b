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

.PHONY: run test setup build site release lint rust-test e2e bench soak

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

## The release site alone (target/site, and its hash file in target/release), without the server binary.
site:
	$(TOOLS) cargo leptos build --release --frontend-only

## Everything CI checks: formatting, lints of both feature sets, the Rust tests, then the browser tests against
## the release site (WASM, JS, CSS: what `make run` serves) with the server binary the Rust tests built; the
## release server binary is the same code with other optimisation, compiled by `make run`. Prints how long
## each step took (the Rust tests and the site overlap).
test:
	@scripts/timed.sh --start
	@scripts/timed.sh setup $(MAKE) --no-print-directory setup
	@scripts/timed.sh lint $(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory --jobs=2 --output-sync=recurse timed-rust-test timed-site
	@SASIEDZI_E2E_SERVER=target/debug/server scripts/timed.sh e2e $(MAKE) --no-print-directory e2e
	@scripts/timed.sh --summary

# The Rust tests (target/debug) and the site (target/front) share no build directory, so they run side by side
# and fill each other's single-threaded stretches (the WASM's one codegen unit and LTO); each prints its
# output when done.
timed-%:
	@scripts/timed.sh $* $(MAKE) --no-print-directory $*

lint:
	$(TOOLS) cargo fmt --all --check
	python3 scripts/module-cycles.py app/src i18n
	$(TOOLS) cargo clippy -p domain -p app -p server --features app/ssr --all-targets -- -D warnings
	$(TOOLS) cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

rust-test:
	$(TOOLS) cargo test -p domain -p app -p server --features app/ssr

## Browser tests against the build named by SASIEDZI_E2E_PROFILE (run `make release` or `make build` first;
## SASIEDZI_E2E_SERVER names another server binary).
e2e:
	$(TOOLS) cd end2end && npx playwright test

## The seeded sync simulation (server/tests/api/simulation) over 100,000 seeds, optimised; `make test` runs
## 1,000. SIM_SEEDS and SIM_FIRST_SEED choose others; a failing seed prints the command that replays it.
soak: setup
	$(TOOLS) SIM_SEEDS=$${SIM_SEEDS:-100000} cargo test --release -p server --features app/ssr --test api \
	  simulation -- --nocapture

## Sync throughput on loopback (see bench/README.md).
bench: setup release
	$(TOOLS) bash bench/sync-push.sh
