#!/usr/bin/env bash
# Every test: Rust unit and integration tests (SQLite and PostgreSQL), then the Playwright
# suite in Chromium against a SQLite-backed and a PostgreSQL-backed server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
source scripts/env.sh

PG_BASE="${SAMTYKKE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
export SAMTYKKE_TEST_PG="$PG_BASE"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  log "starting PostgreSQL"
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
# Each run uses fresh databases; drop what earlier runs left behind.
for db in $(psql "$PG_BASE/postgres" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'samtykke_test_%' OR datname LIKE 'samtykke_e2e_%'"); do
  psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
rm -rf "${TMPDIR:-/tmp}/samtykke-tests"

log "cargo test --features sqlcipher (encryption at rest for SQLite)"
# Before the ordinary build: it leaves target/debug/server as the default binary the rest runs.
cargo test -p server --features sqlcipher --test sqlcipher

bash scripts/build.sh

log "cargo test (unit, repository and HTTP tests on SQLite and PostgreSQL)"
# frontend is left out: building it with the others would unify app's ssr and hydrate features.
cargo test --workspace --exclude frontend

log "Playwright in Chromium (SQLite and PostgreSQL servers)"
e2e_dir="$ROOT/target/e2e"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
export SAMTYKKE_BIN="$ROOT/target/debug/server"
export E2E_SQLITE_URL="sqlite://$e2e_dir/e2e.db"
export E2E_PG_URL="$PG_BASE/samtykke_e2e_$$"
cd end2end
npx playwright test
