#!/usr/bin/env bash
# Anonymisering on SQLite (WAL, synchronous=FULL, secure_delete) and PostgreSQL: one customer
# with 50 contact persons at a time, through the app's transaction beside a raw sqlx one; then
# the retention rule over 100,000 quiet customers.
#   scripts/bench-anonymise.sh [runs=100] [bulk=100000]
# See docs/BENCHMARKS.md.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
runs="${1:-100}"; bulk="${2:-100000}"
bash scripts/build.sh --release >&2
pg_base="${SAMTYKKE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
mkdir -p target/bench
for mode in single bulk; do
  args=(--runs "$runs"); [ "$mode" = bulk ] && args=(--bulk "$bulk")
  rm -f target/bench/anonymise.db*
  echo "SQLite $mode:     $(DATABASE_URL=sqlite://target/bench/anonymise.db target/release/server bench-anonymise "${args[@]}")"
  psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS samtykke_bench_anonymise" >/dev/null
  echo "PostgreSQL $mode: $(DATABASE_URL="$pg_base/samtykke_bench_anonymise" target/release/server bench-anonymise "${args[@]}")"
done
