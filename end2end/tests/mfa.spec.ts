import { expect, test } from '@playwright/test';
import { expectAccessible, hydrated, logIn, PASSWORD } from './helpers';
import { totp } from './totp';

// Rita Revisor is this file's own login: once she has two-factor, every login of hers asks for it.
const RITA = 'revisor@demo.no';

async function password(page: import('@playwright/test').Page) {
  await page.goto('/logg-inn');
  await hydrated(page);
  await page.getByLabel('E-post').fill(RITA);
  await page.getByLabel('Passord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await expect(page).toHaveURL(/\/logg-inn\/kode$/);
  await hydrated(page);
}

test('two-factor: set up from a QR code, then asked at login; a used code is refused, a recovery code works once', async ({ page, browser }) => {
  await logIn(page, RITA);
  await page.getByRole('link', { name: 'Tofaktor' }).click();
  await expect(page.getByTestId('mfa-status')).toHaveText('Tofaktorautentisering er ikke satt opp.');
  await page.getByRole('button', { name: 'Sett opp tofaktor' }).click();
  await expect(page.getByRole('img', { name: 'QR-kode for autentiseringsappen' }).locator('svg')).toBeVisible();
  const secret = (await page.getByTestId('mfa-secret').textContent())!.replace(/\s/g, '');

  // A wrong code is refused beside the field, and MFA stays off.
  await page.getByLabel('Kode fra appen').fill(totp(secret, Date.now() + 3_600_000));
  await page.getByRole('button', { name: 'Aktiver' }).click();
  await expect(page.locator('#mfa-new-code-error')).toHaveText('Koden stemmer ikke, eller den er brukt før.');
  await page.getByLabel('Kode fra appen').fill(totp(secret));
  await page.getByRole('button', { name: 'Aktiver' }).click();
  await expect(page.getByTestId('mfa-enrolled')).toHaveText('Tofaktorautentisering er slått på.');
  const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
  expect(codes).toHaveLength(10);
  expect(codes.every((c) => /^[a-z2-9]{5}-[a-z2-9]{5}$/.test(c))).toBe(true);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Fortsett' }).click();
  await expect(page.getByTestId('mfa-status')).toHaveText('Tofaktorautentisering er på.');

  // The next login asks for a code; the next step's code (this one's went to the enrolment) works.
  const next = totp(secret, Date.now() + 30_000);
  const second = await (await browser.newContext()).newPage();
  await password(second);
  await second.getByLabel('Kode', { exact: true }).fill(next);
  await second.getByRole('button', { name: 'Logg inn' }).click();
  await expect(second.getByTestId('user-name')).toHaveText('Rita Revisor');

  // The same code in another browser: refused.
  const third = await (await browser.newContext()).newPage();
  await password(third);
  await third.getByLabel('Kode', { exact: true }).fill(next);
  await third.getByRole('button', { name: 'Logg inn' }).click();
  await expect(third.locator('#mfa-error')).toHaveText('Koden stemmer ikke, eller den er brukt før.');
  await expect(third).toHaveURL(/\/logg-inn\/kode$/);

  // A recovery code instead: it works, once.
  await third.getByLabel('Kode', { exact: true }).fill(codes[0]);
  await third.getByRole('button', { name: 'Logg inn' }).click();
  await expect(third.getByTestId('user-name')).toHaveText('Rita Revisor');
  const fourth = await (await browser.newContext()).newPage();
  await password(fourth);
  await fourth.getByLabel('Kode', { exact: true }).fill(codes[0]);
  await fourth.getByRole('button', { name: 'Logg inn' }).click();
  await expect(fourth.locator('#mfa-error')).toHaveText('Koden stemmer ikke, eller den er brukt før.');
});
