import { expect, Page, test } from '@playwright/test';
import { hits, hydrated, logIn } from './helpers';

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
  await page.getByRole('button', { name: 'Nordlys Regnskap AS' }).click();
  await expect(page.getByTestId('tenant-name')).toHaveText('Nordlys Regnskap AS');

  // Kari owes 1 250,00: refused, with the amount, and nothing to confirm.
  await openCard(page, '10002', 'Kari Nordmann');
  await anonymiseFromTheMenu(page);
  await expect(page.getByTestId('anonymise-refused')).toContainText(/åpen saldo på 1\s250,00 kr i reskontro/);
  await expect(page.getByRole('button', { name: 'Anonymiser kunden' })).toBeDisabled();

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
  await page.goto('/kunder');
  await hydrated(page);
  // Other Nilsens are still found; Nils is not, by name or number.
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('Nilsen');
  await expect(hits(page).first()).toBeVisible();
  await expect(hits(page).filter({ hasText: 'Nils Nilsen' })).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('10004');
  await expect(page.getByText('Ingen kunder funnet.')).toBeVisible();
});
