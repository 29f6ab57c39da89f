// MFA push pacing against the strict peer holding its MS-CHAPv2 answer, as a server behind RADIUS
// does while the user's phone shows the push. Real time, so the three cases run concurrently: one
// test, ~70 s wall clock in all. The peer reports any resent Response (it would cancel a real push).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, newClient, withPeer, type Client } from './helpers.js';
import type { ConnectOutcome, SessionDeps } from '../../../main/engine/session.js';

// LCP echo every 5 s: during the wait it must not declare the (quiet) server dead.
const DEPS: SessionDeps = { sstpTimers: { abortMs: 200, disconnectMs: 500 }, lcpEchoIntervalMs: 5_000 };

async function attempt(
  delayMs: number,
  authWaitMs?: number,
): Promise<{ peer: StrictPeer; client: Client; outcome: ConnectOutcome; seconds: number }> {
  const peer = await startStrictPeer({ auth: { methods: ['mschapv2'], answerDelayMs: delayMs } });
  return withPeer(peer, async () => {
    const client = newClient(peer, { deps: DEPS, ...(authWaitMs !== undefined ? { authWaitMs } : {}) });
    const started = Date.now();
    const outcome = await client.session.connect();
    const seconds = (Date.now() - started) / 1000;
    if (outcome.ok) await client.session.disconnect();
    return { peer, client, outcome, seconds };
  });
}

describe('MFA push pacing (authentication answered late)', () => {
  after(() => assertNothingLeftOpen());

  test('answer after 40 s connects; after 70 s fails naming the 60 s limit; a 90 s auth wait lets 70 s through', async () => {
    const [at40, at70, raised] = await Promise.all([attempt(40_000), attempt(70_000), attempt(70_000, 90_000)]);

    assert.ok(at40.outcome.ok, explain(at40.peer, at40.client, at40.outcome));
    assert.ok(at40.seconds >= 40, `${at40.seconds} s`);
    assert.deepEqual(at40.peer.violations, [], 'no Response resent, nothing out of order');
    const pending = at40.client.events.find((e) => e.type === 'auth-pending');
    assert.equal(pending?.type === 'auth-pending' ? pending.waitMs : undefined, 60_000);

    assert.equal(at70.outcome.ok, false, explain(at70.peer, at70.client, at70.outcome));
    if (!at70.outcome.ok) {
      const f = at70.outcome.failure;
      assert.equal(f.phase, 'auth', explain(at70.peer, at70.client, at70.outcome));
      assert.equal(f.code, 'negotiation-timeout');
      assert.match(f.message, /60-second authentication wait/);
      assert.match(f.message, /"Authentication wait".*--auth-wait SECONDS/);
    }
    assert.ok(at70.seconds >= 60 && at70.seconds < 69, `failed after ${at70.seconds} s, want the 60 s limit`);
    assert.deepEqual(at70.peer.violations, []);

    assert.ok(raised.outcome.ok, explain(raised.peer, raised.client, raised.outcome));
    assert.ok(raised.seconds >= 70, `${raised.seconds} s`);
    assert.deepEqual(raised.peer.violations, []);
  });
});
