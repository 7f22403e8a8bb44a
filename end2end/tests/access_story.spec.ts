import { expect, test } from '@playwright/test';
import { chooseTenant, hydrated, logIn, openKarisSecrets } from './helpers';

test('a group without the secrets right sees a secret hidden; an administrator reveals it; the Innsynslogg shows the reveal', async ({ browser }) => {
  const run = `${test.info().project.name}-${Date.now() % 100000}`;
  const group = `Resepsjon ${run}`;
  const label = `Alarmkode ${run}`;
  const value = `9191-${run}`;

  // The administrator makes a group that may see customers, not secrets, with Are in it.
  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, 'admin@demo.no');
  await chooseTenant(admin, 'Nordlys Regnskap AS');
  await admin.keyboard.press('Alt+h');
  await admin.getByRole('menuitem', { name: 'Tilgangsstyring' }).click();
  await hydrated(admin);
  await admin.getByLabel('Navn på ny gruppe').fill(group);
  await admin.getByRole('button', { name: 'Opprett' }).click();
  const editor = admin.locator('form.group-editor');
  await expect(editor.getByRole('heading', { name: group })).toBeVisible();
  await editor.getByLabel('Kunde – se').check();
  await expect(editor.getByLabel('Hemmeligheter')).not.toBeChecked();
  await editor.getByLabel(/Are Ansatt/).check();
  await editor.getByLabel('Gruppenavn').press('Control+s');
  await expect(editor.locator('#group-save-status')).toHaveText('Lagret.');

  // A secret on Kari's card for that group.
  await openKarisSecrets(admin);
  const form = admin.locator('form.new-secret');
  await form.getByLabel('Betegnelse').fill(label);
  await form.getByLabel('Verdi').fill(value);
  await form.getByLabel(group).check();
  await form.getByLabel('Verdi').press('Control+s');
  const item = admin.locator('li.secret', { hasText: label });
  await expect(item).toContainText('••••••');

  // Are is in the group, but the group lacks the secrets right: hidden, and Vis is disabled.
  const staff = await (await browser.newContext()).newPage();
  await logIn(staff);
  await openKarisSecrets(staff);
  const hidden = staff.locator('li.secret', { hasText: label });
  await expect(hidden).toContainText('••••••');
  await expect(hidden.getByRole('button', { name: `Vis ${label}` })).toBeDisabled();
  expect(await staff.content()).not.toContain(value);
  // Nor does Are have the Innsynslogg.
  await staff.keyboard.press('Alt+h');
  await expect(staff.getByRole('menuitem', { name: 'Kundesøk' })).toBeVisible();
  await expect(staff.getByRole('menuitem', { name: 'Innsynslogg' })).toHaveCount(0);

  // The administrator reveals it.
  await item.getByRole('button', { name: `Vis ${label}` }).click();
  await expect(item.locator('.secret-value')).toHaveText(value);

  // The Innsynslogg shows that reveal: who, what, about whom.
  await admin.keyboard.press('Alt+h');
  await admin.getByRole('menuitem', { name: 'Innsynslogg' }).click();
  await expect(admin).toHaveURL(/\/innsynslogg$/);
  await hydrated(admin);
  await admin.getByLabel('Handling').selectOption({ label: 'Hemmelighet vist' });
  await admin.getByLabel('Kundenummer').fill('10002');
  await admin.getByRole('button', { name: 'Filtrer' }).click();
  const rows = admin.locator('table.access-log tbody tr');
  await expect(rows.first()).toContainText('Hemmelighet vist');
  await expect(rows.first()).toContainText('Ada Admin');
  await expect(rows.first()).toContainText('10002 Kari Nordmann');
  await expect(rows.filter({ hasNotText: 'Hemmelighet vist' })).toHaveCount(0);
  // The export link carries the same filter.
  await expect(admin.getByRole('link', { name: 'Eksporter CSV' })).toHaveAttribute('href', '/eksport/innsynslogg.csv?kunde=10002&handling=secret_revealed');
});
