// The one-time move from Electron's userData into the XDG data home, on temp dirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePaths, type ServicePaths } from '../../../../main/services/paths.js';
import { encodeDocument } from '../../../../main/services/profiles/file-format.js';
import { MIGRATED_SUFFIX, migrateUserData } from '../../../../main/services/profiles/migrate-user-data.js';
import type { Profile } from '../../../../main/contract/profile.js';
import { createProfile } from '../../../../main/services/profiles/schema.js';
import { ProfileStore } from '../../../../main/services/profiles/store.js';

async function home(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ root: string; userData: string; paths: ServicePaths }> {
  const root = await mkdtemp(join(tmpdir(), 'causeway-migrate-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const paths = resolvePaths({
    env: { XDG_CONFIG_HOME: join(root, '.config'), XDG_STATE_HOME: join(root, '.local', 'state') },
    platform: 'linux',
    home: root,
  });
  return { root, userData: join(root, '.config', 'Causeway'), paths };
}

function profile(name: string, extra: Partial<Profile['tls']> = {}): Profile {
  const r = createProfile({
    name,
    server: { host: 'vpn.example.test' },
    username: 'alice',
    tls: { minVersion: 'TLSv1.2', ...extra },
  });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

test('nothing to do without a userData folder', async (t) => {
  const { userData, paths } = await home(t);
  assert.deepEqual(await migrateUserData(userData, paths), { profiles: [], skipped: [], caFiles: 0, logFiles: 0 });
});

test('profiles, their CA copies and logs move into the data home; names taken there get a suffix; a second run does nothing', async (t) => {
  const { userData, paths } = await home(t);
  const withCa = profile('Office');
  const office = { ...withCa, tls: { ...withCa.tls, caFile: join(userData, 'ca', `${withCa.id}.pem`) } };
  const own = profile('Lab', { caFile: '/etc/ssl/lab.pem' });
  await mkdir(join(userData, 'ca'), { recursive: true });
  await writeFile(join(userData, 'profiles.json'), encodeDocument([office, own]));
  await writeFile(join(userData, 'ca', `${office.id}.pem`), 'PEM');
  await mkdir(join(userData, 'logs', office.id), { recursive: true });
  await writeFile(join(userData, 'logs', office.id, '2026-01-01-1.jsonl'), '{}\n');
  // Chromium's own files stay where Electron wants them.
  await writeFile(join(userData, 'Preferences'), '{}');
  // The CLI already made an "office" in the data home.
  const cli = await new ProfileStore(paths.configDir).add({
    name: 'office',
    server: { host: 'cli.example.test' },
    username: 'bob',
  });
  assert.ok(cli.ok);

  const report = await migrateUserData(userData, paths);
  assert.deepEqual(report.profiles, [
    { id: office.id, name: 'Office (app)', renamedFrom: 'Office' },
    { id: own.id, name: 'Lab' },
  ]);
  assert.equal(report.caFiles, 1);
  assert.equal(report.logFiles, 1);
  assert.equal(report.backup, join(userData, `profiles.json${MIGRATED_SUFFIX}`));

  const list = await new ProfileStore(paths.configDir).list();
  assert.ok(list.ok);
  assert.deepEqual(
    list.value.map((p) => [p.id, p.name]),
    [
      [cli.value.id, 'office'],
      [office.id, 'Office (app)'],
      [own.id, 'Lab'],
    ],
  );
  const moved = list.value.find((p) => p.id === office.id);
  assert.equal(moved?.tls.caFile, join(paths.caDir, `${office.id}.pem`));
  assert.equal(await readFile(join(paths.caDir, `${office.id}.pem`), 'utf8'), 'PEM');
  assert.equal(
    list.value.find((p) => p.id === own.id)?.tls.caFile,
    '/etc/ssl/lab.pem',
    "a file the user chose is not Causeway's to move",
  );
  assert.deepEqual(await readdir(join(paths.logsDir, office.id)), ['2026-01-01-1.jsonl']);
  assert.deepEqual((await readdir(userData)).sort(), ['Preferences', `profiles.json${MIGRATED_SUFFIX}`]);

  assert.deepEqual(await migrateUserData(userData, paths), { profiles: [], skipped: [], caFiles: 0, logFiles: 0 });
  const again = await new ProfileStore(paths.configDir).list();
  assert.ok(again.ok && again.value.length === 3);
});

test('an interrupted run is finished by the next: ids already copied are skipped, not duplicated', async (t) => {
  const { userData, paths } = await home(t);
  const a = profile('A');
  const b = profile('B');
  await mkdir(userData, { recursive: true });
  await writeFile(join(userData, 'profiles.json'), encodeDocument([a, b]));
  const { version: _v, id, ...draft } = a;
  assert.ok((await new ProfileStore(paths.configDir).add(draft, { id })).ok);

  const report = await migrateUserData(userData, paths);
  assert.deepEqual(report.profiles, [{ id: b.id, name: 'B' }]);
  assert.deepEqual(report.skipped, [{ id: a.id, name: 'A', reason: 'already in the data home' }]);
});

test('from a checkout userData is the XDG config folder itself: only the logs move', async (t) => {
  const { paths } = await home(t);
  const p = profile('Dev');
  await mkdir(join(paths.configDir, 'logs', p.id), { recursive: true });
  await writeFile(paths.profilesFile, encodeDocument([p]));
  await writeFile(join(paths.configDir, 'logs', p.id, 'x.jsonl'), '{}\n');
  const report = await migrateUserData(paths.configDir, paths);
  assert.deepEqual(report, { profiles: [], skipped: [], caFiles: 0, logFiles: 1 });
  assert.deepEqual(await readdir(paths.configDir), ['profiles.json']);
  assert.deepEqual(await readdir(join(paths.logsDir, p.id)), ['x.jsonl']);
});

test('an unreadable old profiles file is reported and left untouched', async (t) => {
  const { userData, paths } = await home(t);
  await mkdir(userData, { recursive: true });
  await writeFile(join(userData, 'profiles.json'), '{ not json');
  const report = await migrateUserData(userData, paths);
  assert.match(report.unreadable ?? '', /profiles\.json/);
  assert.equal(await readFile(join(userData, 'profiles.json'), 'utf8'), '{ not json');
});
