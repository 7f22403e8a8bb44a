import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { chooseTenant, expectAccessible, hydrated, logIn } from './helpers';

test('the recipient register: Enter adds, the cross removes, Ctrl+S saves, a reload shows the saved list', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await chooseTenant(page, 'Nordlys Regnskap AS');
  await page.goto('/innstillinger');
  await hydrated(page);
  const tab = page.getByRole('tabpanel', { name: 'Samtykke' });
  await expect(tab.getByTestId('policy-version')).toHaveText('Ingen versjon er publisert ennå.');

  const policy = tab.getByLabel('Lenke til personvernerklæringen');
  await policy.fill('nordlys.no/personvern');
  const newRecipient = tab.getByLabel('Ny virksomhet');
  await newRecipient.fill('Posten Norge AS');
  await newRecipient.press('Enter');
  await newRecipient.fill('Regnskapsbyrå Vest AS');
  await newRecipient.press('Enter');
  await newRecipient.fill('Fiken AS');
  await newRecipient.press('Enter');
  // A duplicate and an empty name are refused beside the field.
  await newRecipient.fill('posten norge as');
  await newRecipient.press('Enter');
  await expect(tab.locator('#recipient-new-error')).toHaveText('Er allerede i bruk.');
  await newRecipient.fill('');
  await newRecipient.press('Enter');
  await expect(tab.locator('#recipient-new-error')).toHaveText('Må fylles ut.');
  const list = tab.getByRole('list', { name: 'Virksomheter vi utveksler data med' });
  await expect(list.locator('.recipient-name')).toHaveText(['Posten Norge AS', 'Regnskapsbyrå Vest AS', 'Fiken AS']);

  // The cross appears on hover and removes that company.
  const fiken = list.getByRole('listitem').filter({ hasText: 'Fiken AS' });
  const cross = fiken.getByRole('button', { name: 'Fjern Fiken AS' });
  await expect(cross).toBeHidden();
  await fiken.hover();
  await expect(cross).toBeVisible();
  await cross.click();
  await expect(list.locator('.recipient-name')).toHaveText(['Posten Norge AS', 'Regnskapsbyrå Vest AS']);

  // A bad link is refused with its message, and nothing is lost.
  await policy.press('Control+s');
  await expect(tab.locator('#settings-policy-url-error')).toHaveText('Skriv en full adresse som begynner med https:// eller http://.');
  await expect(list.locator('.recipient-name')).toHaveCount(2);
  await policy.fill('https://nordlys.example.no/personvern');
  await policy.press('Control+s');
  await expect(tab.locator('#settings-save-status')).toHaveText('Lagret.');
  await expect(tab.getByTestId('policy-version')).toHaveText('Gjeldende versjon: 1, publisert av Ada Admin.');
  await expectAccessible(page);

  await page.reload();
  await hydrated(page);
  await expect(tab.getByLabel('Lenke til personvernerklæringen')).toHaveValue('https://nordlys.example.no/personvern');
  await expect(list.locator('.recipient-name')).toHaveText(['Posten Norge AS', 'Regnskapsbyrå Vest AS']);
});

test('leaving the settings with unsaved changes asks first', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await chooseTenant(page, 'Fjellvik Sport AS');
  await page.goto('/innstillinger');
  await hydrated(page);
  const tab = page.getByRole('tabpanel', { name: 'Samtykke' });
  await tab.getByLabel('Ny virksomhet').fill('Bring AS');
  await tab.getByLabel('Ny virksomhet').press('Enter');

  // Staying: the question is answered "no" and the page keeps the change.
  const questions: string[] = [];
  page.once('dialog', async (d) => { questions.push(d.message()); await d.dismiss(); });
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Kundesøk' }).click();
  await expect(page).toHaveURL(/\/innstillinger$/);
  expect(questions).toEqual(['Du har endringer som ikke er lagret. Vil du forlate siden likevel?']);
  await expect(tab.locator('.recipient-name')).toHaveText(['Bring AS']);
});

test('staff see the consent settings but cannot change them', async ({ page }) => {
  await logIn(page);
  await page.goto('/innstillinger');
  await hydrated(page);
  const tab = page.getByRole('tabpanel', { name: 'Samtykke' });
  await expect(tab.getByText('Du kan se klientinnstillingene, men å endre dem krever rettigheten «Klientinnstillinger».')).toBeVisible();
  await expect(tab.getByLabel('Ny virksomhet')).toBeDisabled();
  await expectAccessible(page);
});

test('Samtykkeskjema shows the settings, prints without the app around it, and downloads as a PDF', async ({ page }) => {
  await logIn(page);
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Samtykkeskjema' }).click();
  const form = page.getByRole('article', { name: 'Samtykkeerklæring' });
  // Saved by the first test of this file.
  await expect(form.getByTestId('form-policy-link')).toHaveAttribute('href', 'https://nordlys.example.no/personvern');
  await expect(form.getByTestId('form-recipients')).toContainText('Posten Norge AS');
  await expect(form.getByTestId('form-recipients')).toContainText('Regnskapsbyrå Vest AS');
  await expect(form).toContainText('Nyhetsbrev på e-post');
  await hydrated(page);
  await expectAccessible(page);

  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.app-bar')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Skriv ut' })).toBeHidden();
  await expect(form).toBeVisible();
  await page.emulateMedia({ media: 'screen' });

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Last ned PDF' }).click();
  const text = execFileSync('pdftotext', ['-layout', await (await download).path(), '-']).toString();
  expect(text).toContain('Samtykkeerklæring');
  expect(text).toContain('https://nordlys.example.no/personvern');
  expect(text).toContain('Posten Norge AS');
  expect(text).toContain('Regnskapsbyrå Vest AS');
});

test('from the customer card, the form is filled in with the contact persons and their consents', async ({ page }) => {
  await logIn(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('10002');
  await page.getByRole('listbox', { name: 'Kundesøk' }).getByRole('option').filter({ hasText: 'Kari Nordmann' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Kundemeny' }).click();
  await page.getByRole('menuitem', { name: 'Samtykkeskjema' }).click();
  const form = page.getByRole('article', { name: 'Samtykkeerklæring' });
  await expect(form.getByTestId('form-customer')).toHaveText('10002 Kari Nordmann');
  const kari = form.getByRole('row', { name: /Kari Nordmann/ });
  await expect(kari.getByRole('cell').first()).toHaveText('☒ Gitt');
  await expect(kari.getByRole('cell').nth(1)).toHaveText('☐ Ikke spurt');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Last ned PDF' }).click();
  const text = execFileSync('pdftotext', ['-layout', await (await download).path(), '-']).toString();
  expect(text).toContain('10002 Kari Nordmann');
  expect(text).toMatch(/\[X\]\s+Nyhetsbrev på e-post: Gitt/);
});
