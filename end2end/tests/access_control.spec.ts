import { test, expect } from '@playwright/test';
import { chooseTenant, expectAccessible, hydrated, logIn } from './helpers';

test('an administrator creates an access group from the main menu, rights bring what they need, Ctrl+S saves', async ({ page }) => {
  await logIn(page, 'admin@demo.no');
  await chooseTenant(page, 'Nordlys Regnskap AS');
  await page.keyboard.press('Alt+h');
  await page.getByRole('menuitem', { name: 'Tilgangsstyring' }).click();
  await expect(page).toHaveURL(/\/tilgangsstyring$/);
  await hydrated(page);

  // A blank name is refused beside the field.
  await page.getByRole('button', { name: 'Opprett' }).click();
  await expect(page.locator('#group-new-error')).toHaveText('Må fylles ut.');
  await page.getByLabel('Navn på ny gruppe').fill('Kundeservice');
  await page.getByRole('button', { name: 'Opprett' }).click();
  const editor = page.locator('form.group-editor');
  await expect(editor.getByRole('heading', { name: 'Kundeservice' })).toBeVisible();

  // Changing consents needs seeing them and the customer: ticking one ticks the others.
  await editor.getByLabel('Samtykke – endre').check();
  await expect(editor.getByLabel('Samtykke – se')).toBeChecked();
  await expect(editor.getByLabel('Kunde – se')).toBeChecked();
  await expect(editor.getByLabel('Hemmeligheter')).not.toBeChecked();
  await editor.getByLabel(/Are Ansatt/).check();
  await editor.getByLabel('Gruppenavn').press('Control+s');
  await expect(editor.locator('#group-save-status')).toHaveText('Lagret.');
  await expectAccessible(page);

  // After a reload the group is there as saved.
  await page.reload();
  await hydrated(page);
  await page.getByRole('button', { name: 'Kundeservice' }).click();
  await expect(editor.getByLabel('Samtykke – endre')).toBeChecked();
  await expect(editor.getByLabel(/Are Ansatt/)).toBeChecked();
  await expect(editor.getByLabel('Klientinnstillinger')).not.toBeChecked();

  // The only administrator cannot step down; the box shows again what holds.
  const own = page.getByLabel('Administrator Ada Admin');
  // A click, not uncheck(): the box is meant to spring back, maybe before uncheck() would look.
  await own.click();
  await expect(page.locator('section.administrators [role="alert"]')).toHaveText('Klienten må ha minst én administrator.');
  await expect(own).toBeChecked();
});

test('without the right, Tilgangsstyring is not in the menu and the page says which right is missing', async ({ page }) => {
  await logIn(page);
  await page.keyboard.press('Alt+h');
  await expect(page.getByRole('menuitem', { name: 'Kundesøk' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Tilgangsstyring' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await page.goto('/tilgangsstyring');
  await hydrated(page);
  await expect(page.getByTestId('missing-right')).toHaveText(
    'Du har ikke tilgang: dette krever rettigheten «Tilgangsstyring». Be en administrator i klienten om å gi deg den under Tilgangsstyring.',
  );
});
