// Preferences → "Verbose connection logs": the setting file round trip, what an unusable file does
// (off, one warning, no throw), and ConnectionLogs asking the setting afresh for each new attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/engine/clock.js';
import { ConnectionLogs } from '../../../../main/services/logs/connection-logs.js';
import { LoggingSetting } from '../../../../main/services/logs/logging-setting.js';

const ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-logging-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('off with no file and no warning; a saved choice is read back by the next start', async (t) => {
  const file = join(await tempDir(t), 'config', 'logging.json');
  const warnings: string[] = [];
  const first = new LoggingSetting(file, (m) => warnings.push(m));
  assert.equal(first.verbose, false);
  assert.equal(first.warning, null);
  assert.equal(warnings.length, 0, 'a first run (no file) is not a problem');

  assert.deepEqual(await first.set(true), { ok: true, verbose: true });
  assert.equal(first.verbose, true);
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { version: 1, verbose: true });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(new LoggingSetting(file, (m) => warnings.push(m)).verbose, true);

  assert.deepEqual(await first.set(false), { ok: true, verbose: false });
  assert.equal(new LoggingSetting(file, (m) => warnings.push(m)).verbose, false);
  assert.equal(warnings.length, 0);
});

test('garbage in logging.json: off, one warning naming the file, cleared by the next save', async (t) => {
  const dir = await tempDir(t);
  const cases: [string, string | null, RegExp][] = [
    ['not json', '{"version":1,"verbose":tru', /is not valid JSON/],
    ['wrong type', '{"version":1,"verbose":"yes"}', /is not a logging setting/],
    ['unknown key', '{"version":1,"verbose":true,"extra":1}', /is not a logging setting/],
    ['future version', '{"version":2,"verbose":true}', /is not a logging setting/],
    ['an array', '[true]', /is not a logging setting/],
    ['empty', '', /is not valid JSON/],
    ['a directory', null, /could not be read \(EISDIR/],
  ];
  for (const [name, text, expected] of cases) {
    const file = join(dir, `${name.replace(/ /g, '-')}.json`);
    if (text === null) await mkdir(file);
    else await writeFile(file, text);
    const warnings: string[] = [];
    const s = new LoggingSetting(file, (m) => warnings.push(m));
    assert.equal(s.verbose, false, name);
    assert.equal(warnings.length, 1, name);
    assert.match(warnings[0] ?? '', expected, name);
    assert.ok(warnings[0]?.startsWith(file), `${name}: the warning says which file`);
    assert.match(warnings[0] ?? '', /verbose connection logs are off/, name);
    assert.equal(s.warning, warnings[0], `${name}: the panel can show it too`);
    if (text === null) continue;
    // Saving replaces the garbage and the warning goes away.
    assert.deepEqual(await s.set(true), { ok: true, verbose: true }, name);
    assert.equal(s.warning, null, name);
    assert.equal(new LoggingSetting(file, () => assert.fail(`${name}: no warning once saved`)).verbose, true, name);
  }
});

test('a save that fails keeps the value in force and says why', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'not-a-dir'), 'x');
  const s = new LoggingSetting(join(dir, 'not-a-dir', 'logging.json'), () => {});
  const r = await s.set(true);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.message, /^The setting could not be saved: /);
  assert.equal(s.verbose, false, 'the next attempt follows what is saved, not what was asked');
});

test('ConnectionLogs asks the setting at each start: a change applies to the next attempt, not the open one', async (t) => {
  const dir = await tempDir(t);
  const setting = new LoggingSetting(join(dir, 'logging.json'), () => {});
  const clock = new ManualClock();
  // A small debug budget so "quiet" is visible with a few hundred lines.
  const logs = new ConnectionLogs(join(dir, 'logs'), {
    clock,
    verbose: () => setting.verbose,
    limits: { file: { debugBudgetBytes: 2048 }, repeat: { burst: 1_000_000 } },
  });
  const attempt = async (during?: () => Promise<void>): Promise<number> => {
    const log = logs.start(ID);
    assert.ok(log.ok);
    for (let i = 0; i < 100; i++) log.value.sink({ time: 0, level: 'debug', phase: 'lcp', message: `trace line ${i}` });
    await during?.();
    for (let i = 100; i < 200; i++)
      log.value.sink({ time: 0, level: 'debug', phase: 'lcp', message: `trace line ${i}` });
    log.value.close();
    const r = await logs.read(ID, log.value.info.attempt);
    assert.ok(r.ok);
    return r.value.entries.filter((e) => e.level === 'debug').length;
  };

  const quiet = await attempt();
  assert.ok(quiet > 10 && quiet < 50, `${quiet} debug lines kept while off`);
  assert.equal((await setting.set(true)).ok, true);
  // Turned off halfway through: this attempt started verbose and stays so.
  assert.equal(await attempt(async () => void (await setting.set(false))), 200);
  assert.equal(await attempt(), quiet, 'off again from the next attempt');
  await setting.set(true);
  assert.equal(await attempt(), 200);
  // A caller's choice for one attempt (the CLI's --verbose / its absence) still beats the setting.
  const one = logs.start(ID, { verbose: false });
  assert.ok(one.ok);
  for (let i = 0; i < 200; i++) one.value.sink({ time: 0, level: 'debug', phase: 'lcp', message: `trace line ${i}` });
  one.value.close();
  const r = await logs.read(ID, one.value.info.attempt);
  assert.ok(r.ok);
  assert.equal(r.value.entries.filter((e) => e.level === 'debug').length, quiet);
});
