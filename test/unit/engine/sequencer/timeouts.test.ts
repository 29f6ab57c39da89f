// The whole-connect deadline on the manual clock: it fires in whichever phase the server stalls,
// once, with a typed failure and a CALL_ABORT that names it; authentication is not counted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS } from '../../../../main/engine/sstp/constants.js';
import { Harness } from './harness.js';
import type { HoldAt } from './wire-server.js';

const DEADLINE = 5_000;

describe('SessionSequencer negotiation timeout', () => {
  for (const held of ['http', 'sstp', 'lcp', 'ipcp'] as const satisfies readonly HoldAt[]) {
    it(`a server stalled in ${held}: nothing before the deadline, one typed failure at it`, () => {
      const h = new Harness({ holdAt: held, deps: { negotiationTimeoutMs: DEADLINE } }).start();
      h.tick(DEADLINE - 1);
      assert.equal(h.seq.stateName, 'connecting');
      assert.equal(h.closedEvents.length, 0);
      h.tick(1);
      assert.equal(h.closedEvents.length, 1);
      const f = h.closedEvents[0];
      assert.equal(f?.code, 'negotiation-timeout');
      assert.equal(f?.phase, held);
      assert.match(f?.message ?? '', /within 5 s \(stuck at /);
      assert.equal(h.outcomes.length, 1);
      assert.equal(h.clock.pending, 0);
      const abort = h.server.log.all('sstp-received').find((e) => e.message === 'CALL_ABORT');
      if (held === 'http') assert.equal(abort, undefined, 'no SSTP call to abort yet');
      else assert.equal(abort?.status, STATUS.NEGOTIATION_TIMEOUT);
    });
  }

  it('a dial that hangs (no TLS yet) times out in its phase', () => {
    const h = new Harness({ deps: { negotiationTimeoutMs: DEADLINE } });
    h.seq.begin();
    h.seq.enter('tcp');
    h.tick(DEADLINE);
    assert.equal(h.closedEvents[0]?.code, 'negotiation-timeout');
    assert.equal(h.closedEvents[0]?.phase, 'tcp');
  });

  it('authentication does not count: the deadline pauses while the server decides, and its own wait applies', () => {
    const h = new Harness({
      holdAt: 'auth',
      config: { authWaitMs: 20_000 },
      deps: { negotiationTimeoutMs: DEADLINE },
    }).start();
    const pending = h.events.find((e) => e.type === 'auth-pending');
    assert.ok(pending && pending.type === 'auth-pending');
    assert.equal(pending.waitMs, 20_000);
    h.tick(3 * DEADLINE);
    assert.equal(h.seq.stateName, 'connecting', 'still signing in, long past the connect deadline');
    h.tick(20_000);
    assert.equal(h.closedEvents.length, 1);
    const f = h.closedEvents[0];
    assert.equal(f?.phase, 'auth');
    // The sign-in's own limit, worded as such, not the connect deadline.
    assert.match(f?.message ?? '', /within the 20-second authentication wait/);
    assert.equal(h.clock.pending, 0);
  });

  it('after authentication the deadline counts on with the time that was left', () => {
    const h = new Harness({ holdAt: 'ipcp', deps: { negotiationTimeoutMs: DEADLINE } });
    h.seq.begin();
    h.tick(1_000); // 1 s of dialling: 4 s left
    h.seq.enter('tcp');
    h.seq.enter('tls');
    h.seq.secured(h.tlsInfo());
    h.pump();
    assert.equal(h.phases.at(-1), 'ipcp');
    h.tick(DEADLINE - 1_000 - 1);
    assert.equal(h.seq.stateName, 'connecting');
    h.tick(1);
    assert.equal(h.closedEvents[0]?.code, 'negotiation-timeout');
    assert.equal(h.closedEvents[0]?.phase, 'ipcp');
  });
});
