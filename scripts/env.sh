# Sourced by the Makefile and scripts: puts the toolchain that scripts/setup.sh chose on PATH.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  && [ -x /usr/bin/rustc ] && ls /usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1; then
  # Debian's rustc-web 1.96 with its cargo and clippy; cargo-installed tools stay reachable after it.
  export PATH="/usr/bin:$PATH"
  export RUSTC=/usr/bin/rustc
fi
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
