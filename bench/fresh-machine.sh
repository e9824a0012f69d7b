#!/usr/bin/env bash
# Times a first `make test` as on a machine without the project's tools: a clean clone of HEAD, run with a
# scratch HOME and CARGO_HOME whose bin/ holds only rustup's proxies (no cargo-leptos, no wasm-bindgen, empty
# crate registry and npm cache, no target/ or node_modules). Debian packages and rustup's toolchains stay as
# they are. `bench/fresh-machine.sh again` reuses the scratch home's tools: the time with tools installed.
# Prints make test's own per-step times; takes 20 to 50 minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${SCRATCH:-/tmp/sasiedzi-fresh-machine}
if [ "${1:-}" != again ]; then
  rm -rf "$scratch"
  mkdir -p "$scratch/home/.cargo/bin"
  cp "$(command -v rustup)" "$scratch/home/.cargo/bin/"
  for proxy in cargo cargo-clippy cargo-fmt clippy-driver rustc rustdoc rustfmt; do
    ln -s rustup "$scratch/home/.cargo/bin/$proxy"
  done
fi
rm -rf "$scratch/repo"
git clone -q "$repo" "$scratch/repo"
cd "$scratch/repo"
env -i HOME="$scratch/home" CARGO_HOME="$scratch/home/.cargo" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
  PATH="$scratch/home/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  TERM=dumb LANG=C.UTF-8 make test
