import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SessionConfig } from '../../../../main/engine/config.js';
import { failure } from '../../../../main/engine/failure.js';
import { LastServerStore } from '../../../../main/services/connections/last-server.js';
import { failoverSessions, lastGoodFirst } from '../../../../main/services/connections/server-failover.js';
import { FakeSession, TUNNEL } from './fake-session.js';

const A = { host: 'a.example', port: 443 };
const B = { host: 'b.example', port: 443 };
const C = { host: 'c.example', port: 8443 };

const BASE = {
  host: 'a.example',
  port: 443,
  tlsMin: 'TLSv1.2',
  trust: { insecure: true },
  credentials: { username: 'u', password: 'p' },
  authMethods: ['mschapv2'],
  ipv6: false,
  mru: 1500,
} as unknown as SessionConfig;

const tick = () => new Promise((r) => setImmediate(r));

describe('app server failover', () => {
  it('puts the last good server first, keeping the others in order', () => {
    assert.deepEqual(lastGoodFirst([A, B, C], C), [C, A, B]);
    assert.deepEqual(lastGoodFirst([A, B, C], A), [A, B, C]);
    assert.deepEqual(lastGoodFirst([A, B, C], { host: 'gone.example', port: 1 }), [A, B, C]);
    assert.deepEqual(lastGoodFirst([A, B, C], undefined), [A, B, C]);
    assert.deepEqual(lastGoodFirst([A, B], { host: 'B.EXAMPLE', port: 443 }), [B, A]);
  });

  it('skips a server failing at TCP, says which connected, and starts the next session with it', async () => {
    const made: FakeSession[] = [];
    const connected: string[] = [];
    const factory = failoverSessions(
      [A, B, C],
      (c) => {
        const s = new FakeSession(c, undefined);
        made.push(s);
        return s;
      },
      { connected: (s) => connected.push(s.host) },
    );
    const session = factory(BASE, {});
    const phases: string[] = [];
    session.onEvent((e) => e.type === 'phase' && phases.push(e.phase));
    // The service counts bytes from the start: subscribing before a server is picked must work.
    const off = session.onIpPacket(() => {});
    const outcome = session.connect();
    await tick();
    made[0]?.fail(failure('tcp', 'network-unreachable', 'refused'));
    await tick();
    assert.equal(made[1]?.config.host, 'b.example');
    made[1]?.succeed({ ...TUNNEL, server: B });
    const r = await outcome;
    assert.ok(r.ok);
    assert.deepEqual(r.info.skipped, [{ server: 'a.example:443', reason: 'refused' }]);
    assert.deepEqual(connected, ['b.example']);
    off();
    // Reconnect: a new session from the same factory tries B first.
    const next = factory(BASE, {});
    void next.connect();
    await tick();
    assert.equal(made[2]?.config.host, 'b.example');
  });

  it('does not move on after an authentication failure (the same account everywhere)', async () => {
    const made: FakeSession[] = [];
    const factory = failoverSessions(
      [A, B],
      (c) => {
        const s = new FakeSession(c, undefined);
        made.push(s);
        return s;
      },
      { connected: () => {} },
    );
    const outcome = factory(BASE, {}).connect();
    await tick();
    made[0]?.fail(failure('auth', 'auth-failed', 'wrong password'));
    const r = await outcome;
    assert.ok(!r.ok);
    assert.equal(made.length, 1);
  });
});

describe('LastServerStore', () => {
  it('remembers per profile, survives a garbage file, and writes a valid one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-last-'));
    try {
      const path = join(dir, 'last-servers.json');
      const store = new LastServerStore(path);
      assert.equal(await store.get('p1'), undefined);
      await writeFile(path, '{ not json');
      assert.equal(await store.get('p1'), undefined);
      assert.deepEqual(await Promise.all([store.set('p1', B), store.set('p2', C)]), [{ ok: true }, { ok: true }]);
      assert.deepEqual(await store.get('p1'), B);
      assert.deepEqual(await new LastServerStore(path).get('p2'), C);
      assert.equal(JSON.parse(await readFile(path, 'utf8')).version, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
