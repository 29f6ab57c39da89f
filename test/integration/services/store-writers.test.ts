// Several processes (the app, the browser host, CLI commands) edit profiles.json at once: every
// read-modify-write holds the inter-process lock, so no add is lost and the file is always valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeDocument } from '../../../main/services/profiles/file-format.js';

const adder = fileURLToPath(new URL('./helpers/profile-adder.ts', import.meta.url));
const WRITERS = 4;
const EACH = 25;

test(`${WRITERS} processes × ${EACH} adds each: all ${WRITERS * EACH} profiles are in one valid file`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-writers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const children = Array.from({ length: WRITERS }, (_, w) =>
    spawn(process.execPath, ['--import', 'tsx', adder, dir, `Writer${w}`, String(EACH)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  const codes = await Promise.all(children.map(async (c) => ((await once(c, 'exit')) as [number | null])[0]));
  assert.deepEqual(codes, Array(WRITERS).fill(0));

  const decoded = decodeDocument(await readFile(join(dir, 'profiles.json'), 'utf8'));
  assert.ok(decoded.ok, 'the file is a valid profiles document');
  const names = new Set(decoded.document.profiles.map((p) => p.name));
  const expected = Array.from({ length: WRITERS }, (_, w) =>
    Array.from({ length: EACH }, (_, n) => `Writer${w} ${n}`),
  ).flat();
  assert.deepEqual(
    expected.filter((n) => !names.has(n)),
    [],
    'no add was lost',
  );
  assert.equal(decoded.document.profiles.length, WRITERS * EACH);
  assert.equal(new Set(decoded.document.profiles.map((p) => p.id)).size, WRITERS * EACH);
  // Nothing left behind: no lock, no temp file.
  assert.deepEqual(await readdir(dir), ['profiles.json']);
});
