# Sourced by the other scripts: picks the toolchain route and sets the variables the build needs.
#
# The ordinary route is a rustup toolchain that has the wasm32 target. Where rustup cannot add
# it (machines that reach only package registries), Debian's rustc-web 1.96 builds std for
# wasm32 from source (-Zbuild-std); see docs/ARCHITECTURE.md and ../shared/TOOLCHAIN.md.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_PROGRESS_WHEN=never
export LEPTOS_OUTPUT_NAME=samtykke
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_HASH_FILES=false
export PATH="$HOME/.cargo/bin:$PATH"

if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  SAMTYKKE_ROUTE=rustup
  BUILD_STD=()
else
  SAMTYKKE_ROUTE=debian
  # Debian's 1.96 before rustup's proxies: one compiler for wasm and server, one Cargo.lock.
  export PATH="/usr/bin:$PATH"
  export RUSTC_BOOTSTRAP=1
  BUILD_STD=(-Zbuild-std=std,panic_abort)
fi
export SAMTYKKE_ROUTE

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Hemmeligheter are sealed with a key that is never in the database. Unless one is configured,
# development and the tests use one of their own in target/ (made once, readable by its owner).
if [ -z "${SAMTYKKE_SECRET_KEY:-}" ] && [ -z "${SAMTYKKE_SECRET_KEY_FILE:-}" ]; then
  export SAMTYKKE_SECRET_KEY_FILE="$ROOT/target/secret.key"
  if [ ! -f "$SAMTYKKE_SECRET_KEY_FILE" ]; then
    mkdir -p "$ROOT/target"
    (umask 077 && head -c 32 /dev/urandom | base64 > "$SAMTYKKE_SECRET_KEY_FILE")
  fi
fi
