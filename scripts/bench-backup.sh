#!/usr/bin/env bash
# Backup and restore drill timed on SQLite and PostgreSQL with N generated customers (each with
# contact persons and consents), plain and encrypted to an age recipient.
#   scripts/bench-backup.sh [customers=100000]
# See docs/BENCHMARKS.md (Backup and restore drill) and docs/OPERATIONS.md.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
customers="${1:-100000}"
# Only the server: backups need no browser bundle.
cargo build -p server --release >&2
bin=target/release/server
pg_base="${SAMTYKKE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
work=target/bench/backup
rm -rf "$work" && mkdir -p "$work"
export RUST_LOG=warn
$bin generate-backup-key --out "$work/identity.txt" >/dev/null
recipient=$(awk '/public key/ {print $4}' "$work/identity.txt")

# Wall time of a command in seconds with one decimal.
seconds() { local start=$(date +%s%N); "$@" >/dev/null; local ms=$(( ($(date +%s%N) - start) / 1000000 )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

run() {
  local name=$1 url=$2
  DATABASE_URL="$url" $bin seed --customers "$customers" >/dev/null
  local size
  if [[ $url == sqlite:* ]]; then size=$(du -b "${url#sqlite://}" | cut -f1); else size=$(psql "$url" -Atc "SELECT pg_database_size(current_database())"); fi
  local plain enc
  plain=$(DATABASE_URL="$url" seconds $bin backup --dir "$work/$name-plain" --keep 1)
  enc=$(DATABASE_URL="$url" seconds $bin backup --dir "$work/$name-age" --keep 1 --encrypt-to "$recipient")
  local file; file=$(ls "$work/$name-plain" | grep -v json)
  local drill; drill=$(DATABASE_URL="$url" $bin restore-drill --dir "$work/$name-age" --identity "$work/identity.txt" --json)
  local rto rows; rto=$(echo "$drill" | awk -F': ' '/rto_seconds/ {gsub(/,/,"",$2); print $2}'); rows=$(echo "$drill" | awk -F': ' '/"rows"/ {gsub(/,/,"",$2); print $2}')
  printf '%-10s %s customers, %s rows, database %s MB, backup file %s MB: backup %.1f s, encrypted %.1f s; drill of the encrypted one (RTO) %.1f s\n' \
    "$name" "$customers" "$rows" $((size / 1000000)) $(( $(du -b "$work/$name-plain/$file" | cut -f1) / 1000000 )) "$plain" "$enc" "$rto"
}

run SQLite "sqlite://$work/bench.db"
psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS samtykke_bench_backup" >/dev/null
run PostgreSQL "$pg_base/samtykke_bench_backup"
psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS samtykke_bench_backup" >/dev/null
