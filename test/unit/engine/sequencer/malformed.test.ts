// Bad bytes from the server in every phase: a typed failure (or, for a PPP frame SSTP can still
// delineate, a dropped frame), exactly one 'closed', and never an exception out of receive().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness.js';
import type { HoldAt } from './wire-server.js';

const SSTP_PHASES = ['sstp', 'lcp', 'auth', 'ipcp'] as const satisfies readonly HoldAt[];

/** A tiny deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomChunk(next: () => number): Buffer {
  const b = Buffer.alloc(1 + Math.floor(next() * 96));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(next() * 256);
  // Half the time, a well-formed SSTP header in front, so the bytes get past the deframer.
  if (next() < 0.5 && b.length >= 4) {
    b[0] = 0x10;
    b[1] = next() < 0.5 ? 0x01 : 0x00;
    b.writeUInt16BE(b.length, 2);
  }
  return b;
}

describe('SessionSequencer and malformed bytes', () => {
  it('an HTTP answer that is not one: a typed http failure', () => {
    const h = new Harness({ holdAt: 'http' }).start();
    h.server.inject(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n\r\n', 'latin1'));
    h.pump();
    assert.equal(h.closedEvents.length, 1);
    assert.equal(h.closedEvents[0]?.phase, 'http');
    assert.equal(h.outcomes.length, 1);
  });

  for (const held of [...SSTP_PHASES, 'connected'] as const) {
    it(`a stream that cannot be delineated in ${held}: protocol-error, nothing sent back (MS-SSTP §3.1.5.1)`, () => {
      const h = new Harness(held === 'connected' ? {} : { holdAt: held }).start();
      const sent = h.serverReceived.length;
      h.server.inject(Buffer.from([0x11, 0x00, 0x00, 0x08, 1, 2, 3, 4]));
      h.pump();
      assert.equal(h.closedEvents.length, 1);
      assert.equal(h.closedEvents[0]?.code, 'protocol-error');
      assert.equal(h.closedEvents[0]?.phase, held);
      assert.equal(h.serverReceived.length, sent, 'no CALL_ABORT');
      assert.equal(h.clock.pending, 0);
    });

    it(`a control packet with a broken attribute list in ${held}: one typed failure`, () => {
      const h = new Harness(held === 'connected' ? {} : { holdAt: held }).start();
      // CALL_ABORT claiming 3 attributes and carrying none.
      h.server.inject(Buffer.from([0x10, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x03]));
      h.pump();
      assert.equal(h.closedEvents.length, 1);
      const f = h.closedEvents[0];
      assert.ok(f && f.message.length > 0 && typeof f.code === 'string');
      assert.equal(h.clock.pending, 0);
    });
  }

  it('a PPP frame with a bad address byte is dropped, not fatal', () => {
    const h = new Harness().start();
    h.server.inject(Buffer.from([0x10, 0x00, 0x00, 0x0a, 0xfe, 0x03, 0x00, 0x21, 0x45, 0x00]));
    h.pump();
    assert.deepEqual(h.closedEvents, []);
    assert.equal(h.seq.stateName, 'connected');
    assert.deepEqual(h.ips, []);
  });

  for (const held of ['http', ...SSTP_PHASES, 'connected'] as const) {
    it(`random bytes in ${held}: never a throw; at most one closed, typed`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const next = prng(seed * 7919 + held.length);
        const h = new Harness(held === 'connected' ? {} : { holdAt: held }).start();
        for (let i = 0; i < 4 && !h.seq.isClosed(); i++) {
          h.server.inject(randomChunk(next));
          assert.doesNotThrow(() => h.pump(), `seed ${seed}`);
        }
        assert.ok(h.closedEvents.length <= 1, `seed ${seed}`);
        const f = h.closedEvents[0];
        if (f) {
          assert.equal(typeof f.code, 'string', `seed ${seed}`);
          assert.ok(f.message.length > 0, `seed ${seed}`);
          assert.equal(h.outcomes.length, 1, `seed ${seed}`);
        } else assert.notEqual(h.seq.stateName, 'closed', `seed ${seed}`);
      }
    });
  }
});
