/// <reference lib="dom" />
// The kill switch's two toggles on the real services (no VPN server needed): Preferences → Kill switch
// writes <config>/kill-switch.json and survives a reload; a profile's own choice is saved to the profile
// file, comes back after a reload, and "As in Preferences" removes it again.
import { expect, test } from '@playwright/test';
import { usePreferencesHost } from './preferences-host.js';

const { host, openPreferences: preferences, readConfig } = usePreferencesHost();

const savedSetting = (): Promise<unknown> => readConfig('kill-switch.json');

async function storedProfile(name: string): Promise<Record<string, unknown> | undefined> {
  const file = (await readConfig('profiles.json')) as { profiles: Record<string, unknown>[] };
  return file.profiles.find((p) => p['name'] === name);
}

test('Preferences → Kill switch: off by default, always + LAN saved, still there after a reload, then off', async ({
  page,
}) => {
  await preferences(page);
  const panel = page.getByTestId('kill-switch-settings');
  const mode = panel.getByLabel('Block traffic outside the tunnel');
  const lan = panel.getByRole('checkbox', { name: 'Allow the local network (printers, file shares, casting)' });
  await expect(mode).toHaveValue('off');
  await expect(lan).toBeDisabled();
  await expect(mode).toHaveAccessibleDescription(/nothing but the VPN connection itself leaves/);

  await mode.selectOption('always');
  await expect(panel.getByRole('status')).toHaveText('Saved: applies from the next connection.');
  expect(await savedSetting()).toEqual({ version: 1, killSwitch: { mode: 'always' } });
  await lan.check();
  await expect(panel.getByRole('status')).toHaveText('Saved: applies from the next connection.');
  expect(await savedSetting()).toEqual({ version: 1, killSwitch: { mode: 'always', allowLan: true } });

  await preferences(page);
  const again = page.getByTestId('kill-switch-settings');
  await expect(again.getByLabel('Block traffic outside the tunnel')).toHaveValue('always');
  await expect(again.getByRole('checkbox', { name: /Allow the local network/ })).toBeChecked();

  await again.getByLabel('Block traffic outside the tunnel').selectOption('off');
  await expect(again.getByRole('status')).toHaveText('Saved: applies from the next connection.');
  expect(await savedSetting()).toEqual({ version: 1, killSwitch: { mode: 'off' } });
});

test("a profile's own kill switch: saved, read back after a reload, removed by 'As in Preferences'", async ({
  page,
}) => {
  await page.goto(host().url);
  await page.getByRole('banner').getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Safe');
  await page.getByLabel('Server host').fill('vpn.example.test');
  await page.getByLabel('User name', { exact: true }).fill('alice');
  const lan = page.getByRole('checkbox', { name: 'Allow the local network while blocking' });
  await expect(lan).toBeDisabled();
  await page.locator('#f-ks').selectOption('on');
  await lan.check();
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('tab', { name: 'Status' })).toHaveAttribute('aria-selected', 'true');
  expect((await storedProfile('Safe'))?.['killSwitch']).toEqual({ mode: 'on', allowLan: true });

  await page.goto(host().url);
  await page.locator('li[data-profile="Safe"] button.name').click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.locator('#f-ks')).toHaveValue('on');
  await expect(page.getByRole('checkbox', { name: 'Allow the local network while blocking' })).toBeChecked();
  await page.locator('#f-ks').selectOption('');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('form.editor [role="status"]')).toHaveText('Saved.');
  await expect.poll(async () => (await storedProfile('Safe'))?.['killSwitch']).toBeUndefined();
});
