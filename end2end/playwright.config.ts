import { defineConfig } from '@playwright/test';
import { randomBytes } from 'node:crypto';

// The suite runs twice: against a server on SQLite and one on PostgreSQL, each with a fresh
// database that scripts/test.sh names in the environment. Debian's Chromium, never a download.
const bin = process.env.SAMTYKKE_BIN ?? '../target/debug/server';
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? '../target/site';
const backends = [
  { name: 'sqlite', port: 3101, url: process.env.E2E_SQLITE_URL ?? 'sqlite://../target/e2e/e2e.db' },
  { name: 'postgres', port: 3102, url: process.env.E2E_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/samtykke_e2e' },
];

const secretKey = process.env.SAMTYKKE_SECRET_KEY ?? randomBytes(32).toString('base64');

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    locale: 'nb-NO',
    // A failure keeps its trace (network, console, DOM per step) in test-results/: the rare
    // blank page after choosing a client (docs/DECISIONS.md) needs it to be understood.
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: backends.map((b) => ({ name: b.name, use: { baseURL: `http://127.0.0.1:${b.port}` } })),
  webServer: backends.map((b) => ({
    command: `${bin} serve --demo --insecure-cookies --addr 127.0.0.1:${b.port} --site-root ${siteRoot}`,
    // scripts/env.sh names a key file; without it, a key for this run only.
    env: { DATABASE_URL: b.url, RUST_LOG: 'warn', SAMTYKKE_SECRET_KEY: secretKey },
    url: `http://127.0.0.1:${b.port}/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  })),
});
