# Sourced by the Makefile and scripts: puts the toolchain that scripts/setup.sh chose on PATH.
# Project tools first (wasm-opt, playwright); cargo-installed tools (cargo-leptos, wasm-bindgen) reachable.
export PATH="$PWD/end2end/node_modules/.bin:$PATH:$HOME/.cargo/bin"
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  && [ -x /usr/bin/rustc ] && ls /usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1; then
  # Debian's rustc-web 1.96 with its own cargo and clippy, ahead of rustup's proxies.
  export PATH="/usr/bin:$PATH"
  export RUSTC=/usr/bin/rustc
fi
