/// <reference lib="dom" />
// Preferences → Metrics on the real services: enabling it serves Prometheus text on the loopback
// address chosen, the choice survives a reload (it is saved), a non-loopback address is refused with
// the reason, and turning it off closes the port.
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startE2eHost, type E2eHost } from './host.js';

let host: E2eHost;
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  host = await startE2eHost({ server: false });
});
test.afterAll(async () => {
  await host?.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function preferences(page: Page): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  await page.getByRole('button', { name: 'Preferences' }).click();
}

test('metrics: served on the chosen loopback address, saved, refused elsewhere, closed when off', async ({ page }) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  await preferences(page);
  const panel = page.getByTestId('metrics-settings');
  const box = panel.getByRole('checkbox', { name: /Serve Prometheus metrics/ });
  await expect(box).not.toBeChecked();
  await panel.getByRole('textbox', { name: 'Address' }).fill(`127.0.0.1:${port}`);
  await box.check();
  await expect(panel.getByRole('status')).toHaveText(`Serving ${url}`);
  const r = await fetch(url);
  expect(r.status).toBe(200);
  expect(await r.text()).toMatch(/^# HELP causeway_connection_state /m);
  expect(JSON.parse(await readFile(join(host.dataDir, 'config', 'metrics.json'), 'utf8'))).toEqual({
    version: 1,
    enabled: true,
    listen: `127.0.0.1:${port}`,
  });

  await panel.getByRole('textbox', { name: 'Address' }).fill(`0.0.0.0:${port}`);
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByRole('status')).toContainText('not a loopback address');
  expect((await fetch(url)).status).toBe(200);

  await preferences(page);
  await expect(
    page.getByTestId('metrics-settings').getByRole('checkbox', { name: /Serve Prometheus metrics/ }),
  ).toBeChecked();
  await page
    .getByTestId('metrics-settings')
    .getByRole('checkbox', { name: /Serve Prometheus metrics/ })
    .uncheck();
  await expect(page.getByTestId('metrics-settings').getByRole('status')).toHaveText('Metrics are off.');
  await expect(fetch(url)).rejects.toThrow();
});
