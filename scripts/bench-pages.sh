#!/usr/bin/env bash
# Concurrent page loads, logged in, against a PostgreSQL-backed server: for each page, how many
# of N loads (P at a time) answered within 20 s, how long the batch took and the server's
# memory after it. This is what found the Kundesøk hang (docs/DECISIONS.md).
#   scripts/bench-pages.sh [loads=300] [parallel=24] [bin=target/debug/server]
# Builds nothing: run scripts/build.sh first (or name a release binary).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
n="${1:-300}"; p="${2:-24}"; bin="${3:-target/debug/server}"
pg_base="${SAMTYKKE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
db="samtykke_pages_$$"; base="http://127.0.0.1:3203"; jar="$(mktemp)"
psql "$pg_base/postgres" -qc "CREATE DATABASE $db"
DATABASE_URL="$pg_base/$db" RUST_LOG=error "$bin" serve --demo --insecure-cookies --addr 127.0.0.1:3203 --site-root target/site >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -f "$jar"' EXIT
for _ in $(seq 1 60); do curl -sf "$base/health" >/dev/null && break; sleep 1; done
curl -sf -c "$jar" -b "$jar" -H "Origin: $base" -d "email=admin@demo.no&password=demo-passord-2026" "$base/api/login" -o /dev/null
tenant=$(curl -sf -c "$jar" -b "$jar" -X POST -H "Origin: $base" "$base/api/whoami" \
  | python3 -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin)["tenants"] if t["name"].startswith("Nordlys")][0])')
curl -sf -c "$jar" -b "$jar" -H "Origin: $base" -d "tenant_id=$tenant" "$base/api/choose_tenant" -o /dev/null
echo "| page | answered | seconds | server RSS after |"
echo "|---|---|---|---|"
for page in /kunder /kunder/1 /innstillinger /rapporter/samtykkeskjema; do
  start=$(date +%s.%N)
  ok=$(seq 1 "$n" | xargs -P "$p" -I{} curl -s -m 20 -b "$jar" -o /dev/null -w "%{http_code}\n" "$base$page" | grep -c '^200$' || true)
  secs=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
  echo "| $page | $ok / $n | $secs | $(( $(ps -o rss= -p $pid) / 1024 )) MB |"
done
