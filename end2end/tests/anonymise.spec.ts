import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chooseTenant, hits, hydrated, logIn } from './helpers';

async function openCard(page: Page, number: string, name: string) {
  await page.goto('/kunder');
  await hydrated(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill(number);
  await hits(page).filter({ hasText: name }).click();
  await expect(page.getByTestId('card-title')).toHaveText(`${number} ${name}`);
  await hydrated(page);
}

async function anonymiseFromTheMenu(page: Page) {
  await page.getByRole('button', { name: 'Kundemeny' }).click();
  await page.getByRole('menuitem', { name: 'Anonymiser' }).click();
  await expect(page).toHaveURL(/\/anonymiser$/);
  await hydrated(page);
}

test('a customer who owes is refused with the amount; one who has paid is previewed, confirmed and anonymised', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await chooseTenant(page, 'Nordlys Regnskap AS');

  // Kari owes 1 250,00: refused, with the amount, and nothing to confirm.
  await openCard(page, '10002', 'Kari Nordmann');
  await anonymiseFromTheMenu(page);
  await expect(page.getByTestId('anonymise-refused')).toContainText(/åpen saldo på 1\s250,00 kr i reskontro/);
  await expect(page.getByRole('button', { name: 'Anonymiser kunden' })).toBeDisabled();
  // The refusal links to the ledger: the card's tab Fakturaer, with what is open.
  await page.getByRole('link', { name: /Se reskontro/ }).click();
  await expect(page.getByRole('tab', { name: 'Fakturaer' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#panel-invoices table.invoices')).toContainText('1\u00a0250,00 kr');

  // Nils has paid: the preview lists what goes and where he is named.
  await openCard(page, '10004', 'Nils Nilsen');
  await anonymiseFromTheMenu(page);
  await expect(page.getByTestId('anonymise-balance')).toHaveText('0,00 kr');
  await expect(page.locator('ul.anonymise-fields')).toContainText('E-post');
  const mention = page.locator('.mention', { hasText: 'Nils Nilsen ba om å bli slettet' });
  await expect(mention).toContainText('Notat');
  await mention.getByRole('checkbox').check();

  // The customer number must be typed; a wrong one is refused beside the field.
  await page.getByLabel(/Skriv kundenummeret for å bekrefte/).fill('10002');
  await page.getByRole('button', { name: 'Anonymiser kunden' }).click();
  await expect(page.locator('#anonymise-confirm-error')).toHaveText('Stemmer ikke med kundenummeret.');
  await page.getByLabel(/Skriv kundenummeret for å bekrefte/).fill('10004');
  await page.getByRole('button', { name: 'Anonymiser kunden' }).click();
  await expect(page.getByTestId('anonymised')).toHaveText('Kunden er anonymisert.');

  // The card says Anonym, and so does every buyer field of an invoice copy printed now.
  await page.getByRole('link', { name: 'Kundekort' }).click();
  await expect(page.getByTestId('card-title')).toHaveText('10004 Anonym');
  await hydrated(page);
  await page.getByRole('tab', { name: 'Fakturaer' }).click();
  await page.getByRole('link', { name: 'Fakturakopi 1005' }).click();
  const buyer = page.getByTestId('invoice-buyer');
  for (const field of ['buyer-name', 'buyer-address', 'buyer-org-no', 'buyer-email']) {
    await expect(buyer.getByTestId(field)).toHaveText('Anonym');
  }
  await expect(buyer).not.toContainText('Nils');
  await expect(page.getByTestId('invoice-total')).toHaveText(/750,00 kr/);
  // The PDF of the copy too.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Last ned PDF' }).click();
  const pdf = execFileSync('pdftotext', ['-layout', await (await download).path(), '-']).toString();
  expect(pdf).toContain('Faktura 1005');
  expect(pdf).toContain('Anonym');
  expect(pdf).not.toContain('Nils');

  // The archive keeps the invoice as issued, for the bookkeeping right (an administrator's).
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Fakturaarkiv' }).click();
  await hydrated(page);
  const archived = page.getByTestId('invoice-archive').getByRole('row', { name: /Faktura 1005/ });
  await expect(archived).toContainText('Nils Nilsen');
  await expect(archived).toContainText('2031-12-31');
  await archived.getByRole('link', { name: 'Som utstedt 1005' }).click();
  await expect(page.getByTestId('buyer-name')).toHaveText('Nils Nilsen');
  await page.goto('/kunder');
  await hydrated(page);
  // Other Nilsens are still found; Nils is not, by name or number.
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('Nilsen');
  await expect(hits(page).first()).toBeVisible();
  await expect(hits(page).filter({ hasText: 'Nils Nilsen' })).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('10004');
  await expect(page.getByText('Ingen kunder funnet.')).toBeVisible();
});

test('the retention rule: a bad value is refused beside the field; saved, it previews whom it reaches and runs with a progress bar', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await chooseTenant(page, 'Nordlys Regnskap AS');
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Automatisk anonymisering' }).click();
  await hydrated(page);
  await expect(page.getByTestId('retention-count')).toHaveText('Ingen regel: ingen kunder anonymiseres automatisk.');

  const years = page.getByLabel(/Anonymiser kunder uten aktivitet i/);
  await years.fill('0');
  await years.press('Control+s');
  await expect(page.locator('#retention-years-error')).toHaveText('Må være mellom 1 og 30.');
  await years.fill('5');
  await years.press('Control+s');
  await expect(page.locator('#retention-status')).toHaveText('Lagret.');
  // The demo's three customers last heard from in 2019.
  await expect(page.getByTestId('retention-count')).toHaveText(/^3 kunder uten aktivitet siden \d{4}-\d{2}-\d{2} og med saldo 0\.$/);
  await expect(page.locator('.retention-first')).toContainText('50001 Sigrid Sovesen');

  await page.getByRole('button', { name: 'Anonymiser nå' }).click();
  await page.getByRole('button', { name: 'Bekreft' }).click();
  await expect(page.getByTestId('retention-progress')).toHaveText('3 av 3 kunder anonymisert.');
  await expect(page.getByRole('progressbar')).toHaveAttribute('value', '3');
  await expect(page.getByTestId('retention-count')).toHaveText(/^0 kunder uten aktivitet/);

  // A reload shows the saved rule.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel(/Anonymiser kunder uten aktivitet i/)).toHaveValue('5');
});
