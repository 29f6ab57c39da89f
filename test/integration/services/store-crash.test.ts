// Kill a writer in the middle of writing: the file must always be exactly the old or the new document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProfileStore } from '../../../main/services/profiles/store.js';
import { encodeDocument } from '../../../main/services/profiles/file-format.js';
import { createProfile } from '../../../main/services/profiles/schema.js';
import { writeFileAtomic } from '../../../main/services/profiles/atomic-write.js';

const writer = fileURLToPath(new URL('./helpers/crash-writer.ts', import.meta.url));

test('SIGKILL during writes never leaves a torn profiles file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'profiles.json');
  // ~1 MB of profiles, so that most of the child's time is spent inside a write.
  const profiles = Array.from({ length: 1600 }, (_, i) => {
    const r = createProfile({
      name: `Profile ${i}`,
      server: { host: `vpn${i}.example.test` },
      username: `user${i}`,
      mtu: 1400,
    });
    assert.ok(r.ok);
    return r.value;
  });
  const oldText = encodeDocument(profiles);
  const newText = oldText.replaceAll('"mtu": 1400', '"mtu": 1300');
  await writeFileAtomic(file, oldText);

  const rounds = 8;
  let inFlight = 0;
  for (let round = 0; round < rounds; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout, 'data');
    await sleep(15 + round * 11);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const now = await readFile(file, 'utf8');
    assert.ok(now === oldText || now === newText, `round ${round}: torn file (${now.length} bytes)`);
    if ((await readdir(dir)).some((n) => n.includes('.tmp-'))) inFlight++;
  }
  t.diagnostic(`killed with a temp file in flight in ${inFlight} of ${rounds} rounds`);
  assert.ok(inFlight > 0, 'no kill landed inside a write: the test proved nothing');

  // The store still loads, and sweeps the dead writers' temp files.
  const loaded = await new ProfileStore(dir).load();
  assert.ok(loaded.ok && loaded.value.length === 1600);
  assert.deepEqual(await readdir(dir), ['profiles.json']);
});
