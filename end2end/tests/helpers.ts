import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'demo-passord-2026';

/** Waits until the WebAssembly has hydrated the page, so clicks reach Rust event handlers. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Logs in; with the right password, waits until the app has left the login page. */
export async function logIn(page: Page, email = 'ansatt@demo.no', password = PASSWORD) {
  await page.goto('/logg-inn');
  await hydrated(page);
  await page.getByLabel('E-post').fill(email);
  await page.getByLabel('Passord').fill(password);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  if (password === PASSWORD) {
    await expect(page).not.toHaveURL(/\/logg-inn$/);
    // The shell, with its Alt+H listener, is on screen (also around "Velg klient").
    await expect(page.getByRole('button', { name: 'Meny (Alt+H)' })).toBeVisible();
    await hydrated(page);
  }
}

/** Chooses a client on "Velg klient". The choice loads /kunder anew, and the server-rendered page
 *  shows the client's name before the WebAssembly has hydrated it: a key pressed then (Alt+H)
 *  would be lost, so this waits for hydration too. */
export async function chooseTenant(page: Page, name: string) {
  await page.getByRole('button', { name }).click();
  await expect(page.getByTestId('tenant-name')).toHaveText(name);
  await hydrated(page);
}

/** No serious or critical accessibility violations on what the page shows now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

/** The rows of Kundesøk's result list (not the options of the page's select boxes). */
export function hits(page: Page) {
  return page.getByRole('listbox', { name: 'Kundesøk' }).getByRole('option');
}

/** Kari Nordmann's card, tab Hemmeligheter. */
export async function openKarisSecrets(page: Page) {
  await page.goto('/kunder');
  await hydrated(page);
  await page.getByRole('combobox', { name: 'Søk etter kunde' }).fill('10002');
  await hits(page).filter({ hasText: 'Kari Nordmann' }).click();
  await expect(page.getByTestId('card-title')).toHaveText('10002 Kari Nordmann');
  await hydrated(page);
  await page.getByRole('tab', { name: 'Hemmeligheter' }).click();
}
