// The one "remembered server first" policy the app's failover and `causeway connect` share.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LastServerStore, rememberedServerFirst } from '../../../../main/services/connections/last-server.js';

const A = { host: 'a.example', port: 443, addresses: ['192.0.2.1'] };
const B = { host: 'b.example', port: 443, addresses: ['192.0.2.2'] };
const C = { host: 'c.example', port: 8443 };

async function inDir(f: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-remembered-'));
  try {
    await f(join(dir, 'last-servers.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('rememberedServerFirst', () => {
  it('with nothing remembered: the profile order, no notice; remember() writes the one that connected', () =>
    inDir(async (path) => {
      const store = new LastServerStore(path);
      const order = await rememberedServerFirst(store, 'p1', [A, B, C]);
      assert.deepEqual(order.servers, [A, B, C]);
      assert.equal(order.notice, undefined);
      assert.deepEqual(await order.remember(B), { ok: true });
      assert.deepEqual(await store.get('p1'), { host: 'b.example', port: 443 });
      assert.equal(await store.get('p2'), undefined, 'per profile');
    }));

  it('the remembered server leads, with its own addresses, and the notice names it', () =>
    inDir(async (path) => {
      const store = new LastServerStore(path);
      await store.set('p1', { host: 'C.EXAMPLE', port: 8443 });
      const order = await rememberedServerFirst(store, 'p1', [A, B, C]);
      assert.deepEqual(order.servers, [C, A, B]);
      assert.equal(order.notice, 'starting with c.example:8443, the server that connected last time');
      // Already first: the same notice (it is still the reason for the order).
      await store.set('p1', A);
      assert.equal(
        (await rememberedServerFirst(store, 'p1', [A, B])).notice,
        'starting with a.example:443, the server that connected last time',
      );
    }));

  it('a remembered server no longer in the list changes nothing', () =>
    inDir(async (path) => {
      const store = new LastServerStore(path);
      await store.set('p1', { host: 'gone.example', port: 443 });
      const order = await rememberedServerFirst(store, 'p1', [A, B]);
      assert.deepEqual(order.servers, [A, B]);
      assert.equal(order.notice, undefined);
    }));

  it('a list of one neither reads nor writes; no store (a host on the command line) writes nothing', () =>
    inDir(async (path) => {
      const store = new LastServerStore(path);
      const one = await rememberedServerFirst(store, 'p1', [A]);
      assert.deepEqual(await one.remember(A), { ok: true });
      assert.equal(existsSync(path), false, 'no file for a single-server profile');
      const none = await rememberedServerFirst(undefined, '', [A, B]);
      assert.deepEqual(none.servers, [A, B]);
      assert.deepEqual(await none.remember(B), { ok: true });
      assert.equal(existsSync(path), false);
    }));

  it('a failed write is returned, not thrown', () =>
    inDir(async (path) => {
      // A plain file where its directory should be: the write fails (ENOTDIR).
      await writeFile(path, 'not a directory');
      const store = new LastServerStore(join(path, 'last-servers.json'));
      const order = await rememberedServerFirst(store, 'p1', [A, B]);
      const r = await order.remember(B);
      assert.equal(r.ok, false);
      assert.equal(await readFile(path, 'utf8'), 'not a directory');
    }));
});
