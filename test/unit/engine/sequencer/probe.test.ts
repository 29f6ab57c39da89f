// The resume check through the session core (issue 13): SessionSequencer.probe reaches the live SSTP
// call — answered by a server of real codecs, or, with the server silent, a dead-peer ending.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness } from './harness.js';

function connected(): Harness {
  const h = new Harness().start().tick(1_000);
  assert.equal(h.seq.stateName, 'connected');
  return h;
}

describe('SessionSequencer.probe', () => {
  it('answered by the server: true, the session stays up', async () => {
    const h = connected();
    const answered = h.seq.probe(750);
    h.pump();
    assert.equal(await answered, true);
    assert.ok(h.serverReceived.some((m) => m.includes('ECHO_REQUEST')));
    assert.equal(h.seq.stateName, 'connected');
    assert.equal(h.closedEvents.length, 0);
  });

  it('a silent server: false at the deadline, and the session ends as a dead peer', async () => {
    const h = connected();
    const answered = h.seq.probe(750);
    h.clock.advance(750); // the server's answer is never fed back
    assert.equal(await answered, false);
    assert.equal(h.closedEvents.length, 1);
    assert.equal(h.closedEvents[0]?.code, 'dead-peer');
  });

  it('before the call is up: false, nothing sent', async () => {
    const h = new Harness({ holdAt: 'lcp' }).start();
    assert.equal(await h.seq.probe(750), false);
  });
});
