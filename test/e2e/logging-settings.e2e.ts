/// <reference lib="dom" />
// Preferences → Connection logs on the real services: off by default, turning "Verbose connection logs"
// on writes <config>/logging.json and survives a reload, turning it off is saved the same way.
import { expect, test } from '@playwright/test';
import { usePreferencesHost } from './preferences-host.js';

const { openPreferences: preferences, readConfig } = usePreferencesHost();

const saved = (): Promise<unknown> => readConfig('logging.json');

test('verbose connection logs: off by default, saved to logging.json, still on after a reload, then off again', async ({
  page,
}) => {
  await preferences(page);
  const panel = page.getByTestId('logging-settings');
  const box = panel.getByRole('checkbox', { name: 'Verbose connection logs' });
  await expect(box).not.toBeChecked();
  // The helper text says what it does, that files grow, and that secrets stay out either way.
  await expect(box).toHaveAccessibleDescription(/every protocol debug line.*bigger.*never written/);
  await expect(panel.getByRole('status')).toHaveText('');

  await box.check();
  await expect(panel.getByRole('status')).toHaveText('Saved: the next connection attempt keeps every debug line.');
  expect(await saved()).toEqual({ version: 1, verbose: true });

  // A fresh load of the page (the URL carries the socket's token; the app drops it from the address bar).
  await preferences(page);
  await expect(
    page.getByTestId('logging-settings').getByRole('checkbox', { name: 'Verbose connection logs' }),
  ).toBeChecked();

  await page.getByTestId('logging-settings').getByRole('checkbox', { name: 'Verbose connection logs' }).uncheck();
  await expect(page.getByTestId('logging-settings').getByRole('status')).toHaveText(
    'Saved: debug lines are kept up to the usual budget.',
  );
  expect(await saved()).toEqual({ version: 1, verbose: false });
  await preferences(page);
  await expect(
    page.getByTestId('logging-settings').getByRole('checkbox', { name: 'Verbose connection logs' }),
  ).not.toBeChecked();
});
