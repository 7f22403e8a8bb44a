import { expect, test } from '@playwright/test';
import { chooseTenant, expectAccessible, hits, hydrated, logIn } from './helpers';

test('a wrong password is refused with a message and no session', async ({ page }) => {
  await logIn(page, 'ansatt@demo.no', 'feil-passord');
  await expect(page.locator('#login-error')).toHaveText('Feil e-post eller passord.');
  await page.goto('/kunder');
  await expect(page).toHaveURL(/\/logg-inn$/);
  await expectAccessible(page);
});

test('staff log in, open the main menu with Alt+H and find a customer', async ({ page }) => {
  await logIn(page);
  await expect(page).toHaveURL(/\/kunder$/);
  await hydrated(page);
  await expect(page.getByTestId('tenant-name')).toHaveText('Nordlys Regnskap AS');

  await page.keyboard.press('Alt+h');
  const menu = page.getByRole('menu', { name: 'Meny (Alt+H)' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem').first()).toHaveText('Kundesøk');
  await expect(menu.getByRole('menuitem', { name: 'Kundesøk' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Ny kunde' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expectAccessible(page);

  const search = page.getByRole('combobox', { name: 'Søk etter kunde' });
  await search.fill('nordm');
  const found = hits(page);
  await expect(found).toHaveCount(2);
  await expect(found.nth(0)).toContainText('Kari Nordmann');
  await expect(found.nth(1)).toContainText('Ola Nordmann');
  await expectAccessible(page);

  await search.fill('finnes ikke');
  await expect(page.getByText('Ingen kunder funnet.')).toBeVisible();
  // Æ, ø and å are letters of their own (the repository tests show "odeg" does not find Ødegård).
  await search.fill('ødeg');
  await expect(hits(page)).toHaveCount(1);
  await expect(hits(page)).toContainText('Åse Ødegård');

  await search.fill('923609016');
  await expect(hits(page)).toContainText('Ærlig Øl og Bakeri AS');
  await search.press('ArrowDown');
  await search.press('Enter');
  await expect(page).toHaveURL(/\/kunder\/\d+$/);
  await expect(page.getByTestId('card-title')).toHaveText('20001 Ærlig Øl og Bakeri AS');
  const contacts = page.getByRole('tabpanel', { name: 'Kontaktpersoner' });
  // Two header rows ("Samtykke kommunikasjon" spans the purposes) and two contact persons.
  await expect(contacts.getByRole('row')).toHaveCount(4);
  await expect(contacts.getByRole('row', { name: /Ingrid Berg/ })).toContainText('Daglig leder');
  await expect(contacts.getByRole('row', { name: /Jonas Lie/ })).toContainText('jonas@aerlig.example.no');
  await expectAccessible(page);
});

test('an edit on the customer card survives a reload; a bad value shows its error', async ({ page }) => {
  await logIn(page);
  await hydrated(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('10002');
  await hits(page).filter({ hasText: 'Kari Nordmann' }).click();
  await expect(page.getByTestId('card-title')).toHaveText('10002 Kari Nordmann');
  await hydrated(page);

  const menuButton = page.getByRole('button', { name: 'Kundemeny' });
  await menuButton.click();
  await expect(page.getByRole('menu', { name: 'Kundemeny' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu', { name: 'Kundemeny' })).toBeHidden();
  await expect(menuButton).toBeFocused();
  await menuButton.click();
  await page.getByRole('menuitem', { name: 'Rediger' }).click();

  const details = page.getByRole('tabpanel', { name: 'Kundeopplysninger' });
  await details.getByLabel('Poststed').fill('Tromsø');
  await details.getByLabel('Poststed').press('Control+s');
  await expect(page.locator('#customer-save-status')).toHaveText('Lagret.');

  await page.reload();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Kundeopplysninger' }).click();
  await expect(details.getByLabel('Poststed')).toHaveValue('Tromsø');

  await details.getByLabel('E-post').fill('kari@@example');
  await details.getByLabel('Telefon').fill('12');
  await details.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  await expect(page.locator('#customer-email-error')).toHaveText('Ugyldig e-postadresse.');
  await expect(page.locator('#customer-phone-error')).toContainText('Ugyldig telefonnummer');
  await expect(details.getByLabel('E-post')).toHaveValue('kari@@example');
  await expect(details.getByLabel('Poststed')).toHaveValue('Tromsø');
  await expectAccessible(page);

  // Nothing invalid reached the database.
  await page.reload();
  await hydrated(page);
  await page.getByRole('tab', { name: 'Kundeopplysninger' }).click();
  await expect(details.getByLabel('E-post')).toHaveValue('kari.nordmann@example.no');
});

test('staff add a contact person to a customer', async ({ page }) => {
  await logIn(page);
  await hydrated(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('ola nord');
  await hits(page).filter({ hasText: 'Ola Nordmann' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Ny kontaktperson' }).click();
  const form = page.getByRole('form', { name: 'Ny kontaktperson' });
  await form.getByLabel('Navn').fill('Nils Nordmann');
  await form.getByLabel('E-post').fill('nils@example');
  await form.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  await expect(page.locator('#contact-email-error')).toHaveText('Ugyldig e-postadresse.');
  await form.getByLabel('E-post').fill('nils@example.no');
  await form.getByLabel('Stilling').fill('Sønn');
  await form.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  const row = page.getByRole('row', { name: /Nils Nordmann/ });
  await expect(row).toContainText('nils@example.no');
  await page.reload();
  await expect(page.getByRole('row', { name: /Nils Nordmann/ })).toContainText('Sønn');
});

test('a user of two tenants chooses one, and switching shows the other tenant’s customers', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await expect(page).toHaveURL(/\/velg-klient$/);
  await hydrated(page);
  await expectAccessible(page);
  await chooseTenant(page, 'Fjellvik Sport AS');
  await expect(page).toHaveURL(/\/kunder$/);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('nordmann');
  await expect(page.getByText('Ingen kunder funnet.')).toBeVisible();

  await page.getByLabel('Klient').selectOption({ label: 'Nordlys Regnskap AS' });
  await expect(page.getByTestId('tenant-name')).toHaveText('Nordlys Regnskap AS');
  await hydrated(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('nordmann');
  await expect(hits(page)).toHaveCount(2);
});

test('the UI switches to English and stays English after a reload', async ({ page }) => {
  await logIn(page);
  await hydrated(page);
  await page.getByLabel('Språk').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customer search');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customer search');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('logging out ends the session', async ({ page }) => {
  await logIn(page);
  await hydrated(page);
  await page.getByRole('button', { name: 'Logg ut' }).click();
  await expect(page).toHaveURL(/\/logg-inn$/);
  await page.goto('/kunder');
  await expect(page).toHaveURL(/\/logg-inn$/);
});

test('staff create a customer from the main menu; errors show beside their fields', async ({ page }) => {
  await logIn(page);
  await hydrated(page);
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Ny kunde' }).click();
  await expect(page).toHaveURL(/\/kunder\/ny$/);
  await page.getByLabel('Bedrift').check();
  await page.getByLabel('Kundenummer').fill('40001');
  await page.getByLabel('Firmanavn').fill('Nytt Firma AS');
  await page.getByLabel('Organisasjonsnummer').fill('923 609 017');
  await page.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  await expect(page.locator('#customer-org-no-error')).toContainText('Ugyldig organisasjonsnummer');
  await expect(page.getByLabel('Firmanavn')).toHaveValue('Nytt Firma AS');
  await expectAccessible(page);

  await page.getByLabel('Organisasjonsnummer').fill('974760673');
  await page.getByLabel('Kundenummer').press('Control+s');
  await expect(page).toHaveURL(/\/kunder\/\d+$/);
  await expect(page.getByTestId('card-title')).toHaveText('40001 Nytt Firma AS');

  // The server refuses a customer number the tenant already uses, beside that field.
  await page.goto('/kunder/ny');
  await hydrated(page);
  await page.getByLabel('Kundenummer').fill('40001');
  await page.getByLabel('Fornavn').fill('Siri');
  await page.getByLabel('Etternavn').fill('Dobbel');
  await page.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  await expect(page.locator('#customer-number-error')).toHaveText('Er allerede i bruk.');
  await expect(page.getByLabel('Etternavn')).toHaveValue('Dobbel');
});
