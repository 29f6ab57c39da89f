/// <reference lib="dom" />
// "Fresh start", as a new user would do it: a profile made with the CLI, then `npm start` (browser mode:
// no Electron binary here) in a throwaway home with a real Secret Service (gnome-keyring on a private
// bus). Chromium loads the printed URL and lists the profile with its password saved; an attempt made in
// the UI shows in `causeway logs`; Ctrl-C stops it with exit 0; a second `npm start` still has it all.
import { expect, test, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  keyringToolsPresent,
  startPrivateKeyring,
  type PrivateKeyring,
} from '../integration/services/helpers/private-keyring.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROFILE = 'Fresh Lab';
const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/;

let home: string;
let keyring: PrivateKeyring | undefined;
let env: NodeJS.ProcessEnv;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.skip(!keyringToolsPresent(), 'dbus-daemon and gnome-keyring-daemon are needed');
  home = await mkdtemp(join(tmpdir(), 'causeway-fresh-'));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  keyring = await startPrivateKeyring({ unlock: true });
  // The machine's npm configuration lives in the real home's .npmrc: keep where node-gyp finds Node's
  // headers (this machine has no internet access to download them into the throwaway home).
  const nodedir = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout.trim();
  // Only what a login session has: none of the test runner's npm_* variables leak into `npm start`.
  env = {
    ...(nodedir && nodedir !== 'undefined' ? { npm_config_nodedir: nodedir } : {}),
    PATH: process.env['PATH'],
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    DBUS_SESSION_BUS_ADDRESS: keyring.busAddress,
    LANG: 'C.UTF-8',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
  };
});

test.afterAll(async () => {
  await keyring?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'causeway.js'), ...args], {
    cwd: ROOT,
    env,
    input: input ?? '',
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Started {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: string[];
}

/** `npm start` from the repo, in its own process group (as a terminal runs it), until it prints the URL. */
async function npmStart(): Promise<Started> {
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(`[stderr] ${l}`));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      output.push(l);
      const m = URL_RE.exec(l);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before printing a URL:\n${output.join('\n')}`)),
    );
  });
  return { url, child, output };
}

/**
 * Ctrl-C in the terminal: SIGINT to the whole foreground process group. npm dies of it at once (as it
 * does in a terminal); the host's own exit is what start.mjs reports on stdout, which stays open until
 * the last process writing to it (start.mjs, the host) has exited.
 */
async function ctrlC(s: Started): Promise<string> {
  const drained = new Promise<void>((resolve) => s.child.stdout!.once('close', () => resolve()));
  process.kill(-s.child.pid!, 'SIGINT');
  await drained;
  return s.output.filter((l) => l.startsWith('Causeway stopped')).join('\n');
}

async function expectProfileWithSavedPassword(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Causeway' })).toBeVisible();
  const row = page.locator(`li[data-profile="${PROFILE}"]`);
  await expect(row).toBeVisible();
  await row.locator('button.name').click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByTestId('f-pass-state')).toHaveText('Saved in the keychain; type to replace it.');
}

test('a CLI profile shows in `npm start` (browser mode), survives a restart with its password saved, and shares logs with the CLI', async ({
  page,
}) => {
  test.setTimeout(600_000);
  // Port 1 on loopback refuses at once: a connection attempt that fails fast and leaves a log.
  const added = cli(
    ['profiles', 'add', PROFILE, '--server', '127.0.0.1:1', '--user', 'alice', '--password-stdin'],
    'fresh-s3cret-ü',
  );
  expect(added.status, added.stderr).toBe(0);
  const profilesFile = join(home, '.config', 'causeway', 'profiles.json');
  expect(await readFile(profilesFile, 'utf8')).not.toContain('fresh-s3cret');

  const first = await npmStart();
  try {
    expect(first.output.join('\n')).toContain('Electron is not installed here');
    await expectProfileWithSavedPassword(page, first.url);

    // An attempt made in the UI is one `causeway logs` lists.
    await page.getByRole('button', { name: `Connect ${PROFILE}` }).click();
    await expect.poll(() => cli(['logs', PROFILE, '--list']).stdout, { timeout: 60_000 }).toMatch(/\d/);
  } finally {
    expect(await ctrlC(first), first.output.join('\n')).toBe('Causeway stopped.');
  }
  // Stopped means stopped: nothing listens on its port any more.
  await expect(fetch(new URL(first.url).origin)).rejects.toThrow();

  const second = await npmStart();
  try {
    expect(new URL(second.url).hash, 'a new token each start').not.toBe(new URL(first.url).hash);
    await expectProfileWithSavedPassword(page, second.url);
    const list = cli(['profiles', 'list']);
    expect(list.stdout).toContain(PROFILE);
  } finally {
    expect(await ctrlC(second), second.output.join('\n')).toBe('Causeway stopped.');
  }
  const doc = JSON.parse(await readFile(profilesFile, 'utf8')) as { profiles: { name: string }[] };
  expect(doc.profiles.map((p) => p.name)).toEqual([PROFILE]);
});
