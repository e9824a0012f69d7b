#!/usr/bin/env bash
# Installs everything `make run` and `make test` need. Every step checks first and is skipped when already
# done, so running it again costs a few seconds. Nothing is downloaded outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
log() { printf '[setup] %s\n' "$*"; }

apt_updated=no
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ "$apt_updated" = no ]; then $sudo apt-get update -qq; apt_updated=yes; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# wasm32 toolchain: rustup's target when it can be had; otherwise Debian's rustc-web with a std built for
# wasm32 from its source (the machine has no route to rustup's servers).
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  log "wasm32 target from rustup"
else
  log "rustup cannot add wasm32; using Debian's rustc-web"
  apt_install rustc-web rust-web-src rust-web-clippy lld-22
  [ -e /usr/local/bin/rust-lld ] || ln -s /usr/bin/lld-22 /usr/local/bin/rust-lld
  wasm_lib=/usr/lib/rustlib/wasm32-unknown-unknown/lib
  if ! ls "$wasm_lib"/libstd-*.rlib >/dev/null 2>&1; then
    log "building std for wasm32 (about 75 s, once per machine)"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/src"
    printf '[package]\nname = "wasm-std-probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n' >"$tmp/Cargo.toml"
    : >"$tmp/src/lib.rs"
    (cd "$tmp" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build -q --release \
      --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
    mkdir -p "$wasm_lib"
    find "$tmp/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libwasm_std_probe*' \
      -exec cp {} "$wasm_lib/" \;
    rm -rf "$tmp"
  fi
fi

# From here on, the toolchain chosen above.
# shellcheck source=scripts/env.sh
source scripts/env.sh

# python3 runs the module-cycle check of `make lint`.
apt_install chromium python3

# The tools only orchestrate (cargo, wasm-opt) and rewrite a few files, so they are compiled for compile
# speed: cargo-leptos' own fat-LTO release profile alone is a 15-minute link on two cores.
tool_profile=(CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16)

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  log "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once per machine)"
  # It needs rustc >= 1.96 to compile; an older rustup toolchain borrows Debian's rustc-web for this build.
  install_rustc=rustc
  install_cargo=cargo
  if [ "$(rustc --version | awk '{split($2, v, "."); print (v[1] * 1000 + v[2] >= 1096)}')" != 1 ]; then
    apt_install rustc-web
    install_rustc=/usr/bin/rustc
    install_cargo=/usr/bin/cargo
  fi
  env RUSTC=$install_rustc "${tool_profile[@]}" \
    $install_cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if [ -f Cargo.lock ]; then
  bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
  if [ -n "$bindgen_version" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
    log "cargo install wasm-bindgen-cli $bindgen_version"
    # Not --locked: the registry lacks one of the dependencies its lock file pins.
    env "${tool_profile[@]}" cargo install wasm-bindgen-cli --version "$bindgen_version" --force
  fi
fi

if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "npm ci in end2end (Playwright, binaryen's wasm-opt)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
log "ready"
