// The state directory's lock: a second holder waits until the first releases, and a holder that
// dies (SIGKILL) frees it without anyone cleaning up a stale file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireStateLock } from '../../../main/helper/root/state-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'cwt-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the second acquirer gets the lock only after the first released it', async () => {
  const first = await acquireStateLock(dir);
  assert.ok(first.ok);
  const order: string[] = [];
  const second = acquireStateLock(dir).then((r) => {
    order.push('second acquired');
    return r;
  });
  // Give the second flock every chance to (wrongly) succeed: it is blocked in the kernel, not polling.
  await new Promise((r) => setTimeout(r, 200));
  order.push('first releasing');
  await first.release();
  const got = await second;
  assert.ok(got.ok);
  assert.deepEqual(order, ['first releasing', 'second acquired']);
  await got.release();
});

test('a holder killed with SIGKILL frees the lock', async () => {
  // A separate process takes the lock and is killed while holding it.
  const script = `import { acquireStateLock } from ${JSON.stringify(new URL('../../../main/helper/root/state-lock.ts', import.meta.url).href)};
const r = await acquireStateLock(${JSON.stringify(dir)}); process.stdout.write(r.ok ? 'held\\n' : 'failed\\n'); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => holder.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  assert.equal(line, 'held\n');
  const blocked = await acquireStateLock(dir, 1);
  assert.deepEqual(blocked.ok ? 'acquired' : blocked.reason, `another helper held ${join(dir, '.lock')} for 1 s`);
  holder.kill('SIGKILL');
  const after = await acquireStateLock(dir, 10);
  assert.ok(after.ok, after.ok ? '' : after.reason);
  await after.release();
});
