import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expectAccessible, hits, hydrated, logIn } from './helpers';

const CUSTOMER_PASSWORD = 'blåbær syltetøy under fjellet';

/** The server this project runs against, as playwright.config.ts starts it. */
function databaseUrl(project: string): string {
  return project === 'sqlite'
    ? process.env.E2E_SQLITE_URL ?? 'sqlite://../target/e2e/e2e.db'
    : process.env.E2E_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/samtykke_e2e';
}

/** Reads the outbox the way an operator without a mail server does: `samtykke outbox`. */
function outbox(project: string, to: string): { to: string; subject: string; body: string }[] {
  const bin = process.env.SAMTYKKE_BIN ?? '../target/debug/server';
  const out = execFileSync(bin, ['outbox', '--to', to, '--json'], {
    env: { ...process.env, DATABASE_URL: databaseUrl(project), RUST_LOG: 'error' },
  });
  return JSON.parse(out.toString());
}

async function phone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'nb-NO' });
  return context.newPage();
}

/** Nothing wider than the phone's screen. */
async function expectNoSideways(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

test('staff invite a contact; the customer sets a password, logs in and withdraws a consent', async ({ page, browser }, info) => {
  await logIn(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('10003');
  await hits(page).filter({ hasText: 'Åse Ødegård' }).click();
  await expect(page.getByTestId('card-title')).toHaveText('10003 Åse Ødegård');
  await hydrated(page);
  const row = page.getByRole('tabpanel', { name: 'Kontaktpersoner' }).getByRole('row', { name: /Åse Ødegård/ });
  await row.getByRole('button', { name: 'Inviter Åse Ødegård til Min Side' }).click();
  await expect(page.locator('#invite-status')).toHaveText('Invitasjon til Min Side er sendt til ase.odegard@example.no.');

  // The invitation, from the outbox, opens on a phone.
  const mail = outbox(info.project.name, 'ase.odegard@example.no')[0];
  expect(mail.subject).toContain('Nordlys Regnskap AS');
  const link = mail.body.match(/https?:\/\/\S+\/min-side\/aktiver\?token=\S+/)![0];
  const customer = await phone(browser);
  await customer.goto(link);
  await hydrated(customer);
  await expect(customer.getByRole('heading', { name: 'Velg passord' })).toBeVisible();
  await expectAccessible(customer);
  await expectNoSideways(customer);
  const password = customer.getByLabel('Nytt passord');
  await password.fill('for kort');
  await customer.getByRole('button', { name: 'Lagre passord og logg inn' }).click();
  await expect(customer.locator('#new-password-error')).toHaveText('Minst 12 tegn.');
  await password.fill('passwordpassword');
  await customer.getByRole('button', { name: 'Lagre passord og logg inn' }).click();
  await expect(customer.locator('#new-password-error')).toContainText('for lett å gjette');
  await password.fill(CUSTOMER_PASSWORD);
  await customer.getByRole('button', { name: 'Lagre passord og logg inn' }).click();
  await expect(customer).toHaveURL(/\/min-side$/);
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('Min Side – Nordlys Regnskap AS');

  // Out, and in again with the new password.
  await hydrated(customer);
  await customer.getByRole('button', { name: 'Logg ut' }).click();
  await expect(customer).toHaveURL(/\/min-side\/\d+\/logg-inn$/);
  await hydrated(customer);
  await customer.getByLabel('E-post').fill('ase.odegard@example.no');
  await customer.getByLabel('Passord').fill(CUSTOMER_PASSWORD);
  await customer.getByRole('button', { name: 'Logg inn' }).click();
  await expect(customer).toHaveURL(/\/min-side$/);
  await hydrated(customer);

  // Giving and withdrawing are one click each, announced, and recorded as Min Side.
  const newsletter = customer.getByRole('switch', { name: 'Nyhetsbrev på e-post' });
  await expect(newsletter).toHaveAttribute('aria-checked', 'false');
  const status = customer.locator('#my-consent-status');
  await newsletter.click();
  await expect(status).toHaveText('Samtykket er gitt.');
  await expect(newsletter).toHaveAttribute('aria-checked', 'true');
  await newsletter.click();
  await expect(status).toHaveText('Samtykket er trukket.');
  await expect(newsletter).toHaveAttribute('aria-checked', 'false');
  const item = customer.locator('li.my-consent').filter({ has: newsletter });
  await expect(item.locator('.state')).toContainText('Trukket');
  await expect(item.locator('.state')).toContainText('Min Side');
  await expectAccessible(customer);
  await expectNoSideways(customer);

  // The staff card shows the change, from Min Side, by the customer.
  await page.reload();
  await hydrated(page);
  await expect(row.locator('td.consent').first()).toHaveText('✗ Trukket');
  await row.getByRole('button', { name: 'Historikk Åse Ødegård' }).click();
  const newest = page.getByRole('dialog', { name: 'Samtykkehistorikk: Åse Ødegård' }).getByRole('row').nth(1);
  await expect(newest).toContainText('Trukket');
  await expect(newest).toContainText('Min Side');
  await expect(newest).toContainText('Kunden selv');

  // "Mine data" downloads as JSON with the change in it, and reads as a page too.
  const [download] = await Promise.all([
    customer.waitForEvent('download'),
    customer.getByRole('link', { name: 'Last ned mine data (JSON)' }).click(),
  ]);
  const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(data.contact_person.name).toBe('Åse Ødegård');
  expect(data.consent_events.map((e: { given: boolean; source: string }) => [e.given, e.source])).toEqual([
    [true, 'MinSide'],
    [false, 'MinSide'],
  ]);
  // Staff opening the card is there too, as an entry about her, without the staff user's address.
  expect(data.access_log).toContainEqual(expect.objectContaining({ action: 'customer_card_viewed', by_staff: true, ip: null }));
  await customer.getByRole('link', { name: 'Vis mine data' }).click();
  await expect(customer.getByRole('heading', { name: 'Mine data', level: 1 })).toBeVisible();
  await expect(customer.getByText('ase.odegard@example.no').first()).toBeVisible();
  await expect(customer.locator('#who-looked')).toContainText('Kundekortet ble åpnet av en ansatt');
  await hydrated(customer);
  await expectAccessible(customer);
  await expectNoSideways(customer);
});

test('a wrong password on Min Side is refused with a message and no session', async ({ browser }) => {
  const customer = await phone(browser);
  await customer.goto('/min-side/1/logg-inn');
  await hydrated(customer);
  await customer.getByLabel('E-post').fill('ingen@example.no');
  await customer.getByLabel('Passord').fill('feil passord her');
  await customer.getByRole('button', { name: 'Logg inn' }).click();
  await expect(customer.locator('#customer-login-error')).toHaveText('Feil e-post eller passord.');
  await expectAccessible(customer);
  await customer.goto('/min-side');
  await expect(customer.getByRole('alert')).toContainText('ikke logget inn');
});
