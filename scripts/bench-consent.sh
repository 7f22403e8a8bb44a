#!/usr/bin/env bash
# Consent saves per second on SQLite (WAL, synchronous=FULL) and PostgreSQL, each beside a raw
# sqlx transaction doing the same writes, in the same run.
#   scripts/bench-consent.sh [writers=4] [seconds=10]
# See docs/BENCHMARKS.md.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
writers="${1:-4}"; seconds="${2:-10}"
bash scripts/build.sh --release >&2
pg_base="${SAMTYKKE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
mkdir -p target/bench
rm -f target/bench/consent.db*
echo "SQLite:     $(DATABASE_URL=sqlite://target/bench/consent.db target/release/server bench-consent --writers "$writers" --seconds "$seconds")"
psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS samtykke_bench_consent" >/dev/null
echo "PostgreSQL: $(DATABASE_URL="$pg_base/samtykke_bench_consent" target/release/server bench-consent --writers "$writers" --seconds "$seconds")"
