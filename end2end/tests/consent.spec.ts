import { expect, Page, test } from '@playwright/test';
import { chooseTenant, expectAccessible, hits, hydrated, logIn } from './helpers';

async function openCard(page: Page, number: string, title: string) {
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill(number);
  await hits(page).filter({ hasText: title }).click();
  await expect(page.getByTestId('card-title')).toHaveText(`${number} ${title}`);
  await hydrated(page);
}

test('staff change consent in the consent window; the columns and the history show it', async ({ page }) => {
  await logIn(page);
  await openCard(page, '10001', 'Ola Nordmann');

  // The seeded state: newsletter given, SMS offers withdrawn, the rest never asked.
  const contacts = page.getByRole('tabpanel', { name: 'Kontaktpersoner' });
  await expect(contacts.getByRole('columnheader', { name: 'Samtykke kommunikasjon' })).toBeVisible();
  const row = contacts.getByRole('row', { name: /Ola Nordmann/ });
  const cells = row.locator('td.consent');
  await expect(cells).toHaveText(['✓ Gitt', '✗ Trukket', '– Ikke spurt', '– Ikke spurt']);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Kundemeny' }).click();
  await page.getByRole('menuitem', { name: 'Samtykke', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Samtykke: 10001 Ola Nordmann' });
  await expect(dialog).toBeVisible();
  const save = dialog.getByRole('button', { name: 'Lagre (Ctrl+S)' });
  const status = dialog.locator('#samtykke-status');
  const newsletter = dialog.getByRole('checkbox', { name: 'Nyhetsbrev på e-post – Ola Nordmann' });
  const phone = dialog.getByRole('checkbox', { name: 'Telefonsalg – Ola Nordmann' });
  await expect(newsletter).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'Tilbud på SMS – Ola Nordmann' })).not.toBeChecked();
  await expect(phone).not.toBeChecked();
  await expect(save).toBeDisabled();

  await phone.check();
  await expect(save).toBeEnabled();
  await expect(status).toHaveText('1 endring er ikke lagret.');
  await phone.uncheck();
  await expect(save).toBeDisabled();
  await expect(status).toHaveText('Ingen endringer.');
  await expectAccessible(page);

  // Focus stays inside the window, however far one tabs.
  for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
  await expect(dialog.locator(':focus')).toHaveCount(1);

  // Esc with an unsaved change asks first; keeping on editing keeps the change.
  await phone.check();
  await page.keyboard.press('Escape');
  await expect(dialog.getByText('Du har endringer som ikke er lagret. Vil du forkaste dem?')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Fortsett å redigere' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Fortsett å redigere' }).click();
  await expect(phone).toBeChecked();

  await save.click();
  await expect(status).toHaveText('Samtykkene er lagret.');
  await expect(dialog).toBeVisible();
  await expect(save).toBeDisabled();
  await dialog.getByRole('button', { name: 'Lukk' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Kundemeny' })).toBeFocused();
  await expect(cells).toHaveText(['✓ Gitt', '✗ Trukket', '✓ Gitt', '– Ikke spurt']);

  await row.getByRole('button', { name: 'Historikk Ola Nordmann' }).click();
  const history = page.getByRole('dialog', { name: 'Samtykkehistorikk: Ola Nordmann' });
  const newest = history.getByRole('row').nth(1);
  await expect(newest).toContainText('Telefonsalg (v1)');
  await expect(newest).toContainText('Gitt');
  await expect(newest).toContainText('Are Ansatt');
  await expect(newest).toContainText('Kundekort');
  await expect(history.getByRole('row')).toHaveCount(1 + 4);
  await expect(history.getByRole('row').nth(4)).toContainText('Papirskjema');
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await expect(history).toBeHidden();

  await page.reload();
  await hydrated(page);
  await expect(cells).toHaveText(['✓ Gitt', '✗ Trukket', '✓ Gitt', '– Ikke spurt']);
});

test('discarding unsaved consent changes leaves the consents as they were', async ({ page }) => {
  await logIn(page);
  await openCard(page, '10002', 'Kari Nordmann');
  await page.getByRole('button', { name: 'Kundemeny' }).click();
  await page.getByRole('menuitem', { name: 'Samtykke', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Samtykke: 10002 Kari Nordmann' });
  await dialog.getByRole('checkbox', { name: 'Tilbud på SMS – Kari Nordmann' }).check();
  await dialog.getByRole('button', { name: 'Lukk' }).click();
  await dialog.getByRole('button', { name: 'Forkast endringer' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('tabpanel', { name: 'Kontaktpersoner' }).getByRole('row', { name: /Kari Nordmann/ });
  await expect(row.locator('td.consent')).toHaveText(['✓ Gitt', '– Ikke spurt', '– Ikke spurt', '– Ikke spurt']);
});

test('a tenant admin publishes a new wording of a purpose in Klientinnstillinger', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await chooseTenant(page, 'Fjellvik Sport AS');
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Klientinnstillinger' }).click();
  await page.getByRole('tab', { name: 'Samtykkeformål' }).click();
  const row = page.getByRole('row', { name: /Tilbud på SMS/ });
  await expect(row).toContainText('tilbud-sms');
  await row.getByRole('button', { name: 'Rediger Tilbud på SMS' }).click();
  const wording = page.getByLabel('Tekst personen samtykker til');
  await wording.fill('');
  await page.getByLabel('Kode').fill('Ugyldig kode!');
  await page.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  await expect(page.locator('#purpose-wording-error')).toHaveText('Må fylles ut.');
  await expect(page.locator('#purpose-code-error')).toHaveText('Bruk små bokstaver a–z, siffer, - og _.');
  await page.getByLabel('Kode').fill('tilbud-sms');
  await wording.fill('Ja, send meg tilbud på SMS. Jeg kan trekke samtykket når som helst.');
  await wording.press('Control+s');
  await expect(row.getByRole('cell').nth(4)).toHaveText('2');
  await expectAccessible(page);
});

test('staff without the admin role see the purposes but cannot change them', async ({ page }) => {
  await logIn(page);
  await page.goto('/innstillinger');
  await hydrated(page);
  await page.getByRole('tab', { name: 'Samtykkeformål' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Samtykkeformål' }).getByText('Du kan se klientinnstillingene, men å endre dem krever rettigheten «Klientinnstillinger».')).toBeVisible();
  await expect(page.getByRole('row', { name: /Telefonsalg/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Nytt formål' })).toHaveCount(0);
  await expectAccessible(page);
});
