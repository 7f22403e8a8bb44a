import { expect, test } from '@playwright/test';
import { chooseTenant, expectAccessible, logIn, openKarisSecrets } from './helpers';

test('a secret stays hidden until Vis; staff without access cannot reveal it; an administrator can', async ({ browser }) => {
  const value = `4711-${test.info().project.name}`;
  const admin = await (await browser.newContext()).newPage();
  await logIn(admin, 'admin@demo.no');
  await chooseTenant(admin, 'Nordlys Regnskap AS');
  await openKarisSecrets(admin);

  // A blank value is refused beside its field; nothing is stored.
  const form = admin.locator('form.new-secret');
  await form.getByLabel('Betegnelse').fill('Portkode');
  await form.getByRole('button', { name: 'Lagre (Ctrl+S)' }).click();
  await expect(form.locator('#secret-value-error')).toHaveText('Må fylles ut.');
  await form.getByLabel('Verdi').fill(value);
  await form.getByLabel('Verdi').press('Control+s');
  const item = admin.locator('li.secret', { hasText: 'Portkode' });
  await expect(item).toContainText('••••••');
  await expect(item).toContainText('Synlig bare for administratorer.');
  await expect(admin.getByText(value)).toHaveCount(0);
  await expectAccessible(admin);

  // Staff see that there is a secret, not what it is, and cannot ask for it.
  const staff = await (await browser.newContext()).newPage();
  await logIn(staff);
  await openKarisSecrets(staff);
  const hidden = staff.locator('li.secret', { hasText: 'Portkode' });
  await expect(hidden).toContainText('••••••');
  await expect(hidden).toContainText('Du har ikke tilgang til å se denne.');
  await expect(hidden.getByRole('button', { name: 'Vis Portkode' })).toBeDisabled();
  await expect(staff.locator('form.new-secret')).toHaveCount(0);
  expect(await staff.content()).not.toContain(value);

  // The administrator reveals it, and hides it again.
  await item.getByRole('button', { name: 'Vis Portkode' }).click();
  await expect(item.locator('.secret-value')).toHaveText(value);
  await item.getByRole('button', { name: 'Skjul Portkode' }).click();
  await expect(item.locator('.secret-value')).toHaveText('••••••');

  // A change: a new value replaces the old; the label stays as it was.
  await item.getByRole('button', { name: 'Rediger Portkode' }).click();
  await expect(form.getByRole('heading', { name: 'Endre hemmelighet' })).toBeVisible();
  await expect(form.getByLabel('Betegnelse')).toHaveValue('Portkode');
  await form.getByLabel('Verdi').fill(`${value}-ny`);
  await form.getByLabel('Verdi').press('Control+s');
  await expect(form.getByRole('heading', { name: 'Ny hemmelighet' })).toBeVisible();
  await item.getByRole('button', { name: 'Vis Portkode' }).click();
  await expect(item.locator('.secret-value')).toHaveText(`${value}-ny`);
});
