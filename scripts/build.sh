#!/usr/bin/env bash
# Builds the browser bundle into target/site and the server binary.
#   scripts/build.sh            debug server (what the tests run)
#   scripts/build.sh --release  release server
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
server_profile=dev
[ "${1:-}" = "--release" ] && server_profile=release

site="$LEPTOS_SITE_ROOT"
pkg="$site/pkg"
mkdir -p "$pkg"

log "wasm (profile wasm-release, route $SAMTYKKE_ROUTE)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
  "${BUILD_STD[@]}" --target-dir target/front
wasm="target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm"

if [ ! -f "$pkg/samtykke.wasm" ] || [ "$wasm" -nt "$pkg/samtykke.wasm" ]; then
  log "wasm-bindgen + wasm-opt"
  wasm-bindgen --target web --no-typescript --out-name samtykke --out-dir "$pkg" "$wasm"
  mv -f "$pkg/samtykke_bg.wasm" "$pkg/samtykke.wasm"
  if command -v wasm-opt >/dev/null; then
    wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-mutable-globals --strip-debug "$pkg/samtykke.wasm" -o "$pkg/samtykke.wasm"
  fi
fi
cp style/main.css "$pkg/samtykke.css"
cp -r public/. "$site/"
# Served as they are by ServeDir when the browser accepts br or gzip.
for f in "$pkg"/samtykke.{wasm,js,css}; do
  [ "$f.br" -nt "$f" ] || brotli -f -q 11 -k "$f"
  [ "$f.gz" -nt "$f" ] || gzip -f -9 -k "$f"
done

log "server ($server_profile)"
if [ "$server_profile" = release ]; then
  cargo build -p server --release
else
  cargo build -p server
fi
