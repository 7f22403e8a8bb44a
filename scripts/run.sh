#!/usr/bin/env bash
# Builds (release) and runs the app on http://127.0.0.1:3000 with an embedded SQLite database
# under ./data, creating the demo tenants and logins on first start and printing them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh --release
source scripts/env.sh
export DATABASE_URL="${DATABASE_URL:-sqlite://data/samtykke.db}"
# Plain http on localhost: cookies may not be Secure here. Behind TLS, leave this out.
exec target/release/server serve --demo --insecure-cookies --addr "${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
