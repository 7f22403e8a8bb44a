#!/usr/bin/env bash
# Kundesøk latency at a fixed rate, beside a bare handler running the same indexed query.
#   scripts/bench-search.sh [customers=1000000] [tenants=200] [rate=200] [seconds=20]
# Seeds target/bench (SQLite) and the database samtykke_bench (PostgreSQL) once, then measures
# both backends. Needs oha (cargo install oha --locked). See docs/BENCHMARKS.md.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
customers="${1:-1000000}"; tenants="${2:-200}"; rate="${3:-200}"; seconds="${4:-20}"
command -v oha >/dev/null || cargo install oha --locked
bash scripts/build.sh --release >&2
bin=target/release/server
pg_base="${SAMTYKKE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
mkdir -p target/bench
queries=(han ola 9 "fjord bygg")
echo "| backend | handler | query | p50 ms | p95 ms | p99 ms | req/s | status codes |"
echo "|---|---|---|---|---|---|---|---|"

for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then url="sqlite://target/bench/bench-$customers.db"; else url="$pg_base/samtykke_bench_$customers"; fi
  if [ ! -f "target/bench/.seeded-$backend-$customers" ]; then
    log "$backend: seeding $customers customers over $tenants tenants"
    DATABASE_URL="$url" "$bin" seed --customers "$customers" --tenants "$tenants" >&2
    touch "target/bench/.seeded-$backend-$customers"
  fi
  # Fresh planner statistics, as an operator would have after a bulk load.
  if [ "$backend" = sqlite ]; then sqlite3 "target/bench/bench-$customers.db" "ANALYZE;"; else psql "$url" -qc "VACUUM ANALYZE"; fi
  DATABASE_URL="$url" "$bin" serve --insecure-cookies --addr 127.0.0.1:3201 >/dev/null 2>&1 &
  app_pid=$!
  DATABASE_URL="$url" "$bin" bench-bare --addr 127.0.0.1:3202 >/dev/null 2>&1 &
  bare_pid=$!
  trap 'kill $app_pid $bare_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do curl -sf http://127.0.0.1:3201/health >/dev/null && curl -s -o /dev/null http://127.0.0.1:3202/ && break; sleep 1; done
  jar=$(mktemp)
  curl -sf -c "$jar" -o /dev/null -d "email=bulk@demo.no&password=demo-passord-2026" http://127.0.0.1:3201/api/login || true
  cookie=$(awk '$6 == "samtykke_sid" {print "samtykke_sid=" $7}' "$jar")
  tenant=$(curl -sf -b "$jar" -X POST http://127.0.0.1:3201/api/whoami | python3 -c 'import json,sys; print(json.load(sys.stdin)["tenant"]["id"])')
  for q in "${queries[@]}"; do
    enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
    # Warm both paths (caches, prepared statements, pool connections) before measuring either.
    oha -z 3s -q "$rate" --no-tui -m POST -H "Cookie: $cookie" -T application/x-www-form-urlencoded \
        -d "query=$enc&page=0" http://127.0.0.1:3201/api/search_customers >/dev/null
    oha -z 3s -q "$rate" --no-tui "http://127.0.0.1:3202/bare/search?tenant=$tenant&q=$enc" >/dev/null
    for target in app bare; do
      if [ "$target" = app ]; then
        out=$(oha -z "${seconds}s" -q "$rate" --no-tui --output-format json -m POST -H "Cookie: $cookie" \
              -T application/x-www-form-urlencoded -d "query=$enc&page=0" http://127.0.0.1:3201/api/search_customers)
      else
        out=$(oha -z "${seconds}s" -q "$rate" --no-tui --output-format json "http://127.0.0.1:3202/bare/search?tenant=$tenant&q=$enc")
      fi
      echo "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
p = {k: (v or 0.0) for k, v in r["latencyPercentiles"].items()}; s = r["summary"]
codes = r.get("statusCodeDistribution", {})
print("| %s | %s | \"%s\" | %.2f | %.2f | %.2f | %.0f | %s |" % (sys.argv[1], sys.argv[2], sys.argv[3],
      p["p50"] * 1000, p["p95"] * 1000, p["p99"] * 1000, s["requestsPerSec"] or 0.0, codes))
' "$backend" "$target" "$q"
    done
  done
  kill $app_pid $bare_pid 2>/dev/null || true
  wait $app_pid $bare_pid 2>/dev/null || true
  trap - EXIT
done
