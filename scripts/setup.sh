#!/usr/bin/env bash
# Installs what building and testing need, once; a second run only checks and returns.
set -euo pipefail
source "$(dirname "$0")/env.sh"

missing=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || missing+=("$1"); }
if command -v dpkg >/dev/null; then
  for p in build-essential pkg-config libssl-dev sqlite3 brotli binaryen chromium poppler-utils; do need_pkg "$p"; done
  # pg_dump and pg_restore for `backup` and `restore-drill`; Debian's client matches Debian's
  # server, which the tests use (pg_dump must be at least the server's major version).
  command -v pg_dump >/dev/null || missing+=(postgresql-client)
  if [ "$SAMTYKKE_ROUTE" = debian ]; then
    for p in rustc-web cargo-web rust-web-src rust-web-llvm lld-22; do need_pkg "$p"; done
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  fi
fi
# After installing, Debian's toolchain may now be the route.
source "$(dirname "$0")/env.sh"

# wasm-bindgen's CLI must be exactly the version of the crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "cargo install wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "=$want"
fi

if [ -d "$ROOT/end2end" ] && [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
  log "npm ci (Playwright and axe-core; the browser is Debian's chromium)"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
log "toolchain route: $SAMTYKKE_ROUTE ($(rustc --version))"
