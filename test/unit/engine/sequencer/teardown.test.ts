// One teardown from every phase: a cancel, a failure and a clean disconnect all end through the
// sequencer's one end() — one 'closed', one connect() outcome, the transport closed, no timer left.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failure, type Phase } from '../../../../main/engine/failure.js';
import { STATUS } from '../../../../main/engine/sstp/constants.js';
import { callAbort, statusInfo } from '../../../../main/engine/sstp/control-packet.js';
import { Harness } from './harness.js';
import type { HoldAt } from './wire-server.js';

const HELD: readonly HoldAt[] = ['http', 'sstp', 'lcp', 'auth', 'ipcp'];

/** Everything one ending must leave behind, whatever the phase. */
function assertEndedOnce(h: Harness, phase: Phase, code: string): void {
  assert.equal(h.seq.stateName, 'closed');
  assert.equal(h.closedEvents.length, 1, 'one closed event');
  const f = h.closedEvents[0];
  assert.ok(f, 'closed with a failure');
  assert.equal(f.code, code);
  assert.equal(f.phase, phase);
  assert.equal(typeof f.message, 'string');
  assert.equal(h.outcomes.length, 1, 'one connect() outcome');
  const o = h.outcomes[0];
  assert.ok(o && !o.ok);
  assert.equal(o.failure, f, 'the outcome carries the same failure');
  assert.ok(h.closeTransportCalls >= 1);
  assert.equal(h.writesAfterClose, 0, 'nothing written after the transport was closed');
  assert.equal(h.clock.pending, 0, 'no client timer left');
  assert.ok(h.events.at(-1)?.type === 'closed', 'closed is the last event');
}

/** Whatever arrives after the end changes nothing. */
function assertInert(h: Harness): void {
  const events = h.events.length;
  h.seq.disconnect();
  h.seq.fail(failure('lcp', 'protocol-error', 'late'));
  h.seq.transportLost('closed');
  h.seq.receive(Buffer.from([0x10, 0x00, 0x00, 0x04]));
  assert.equal(h.seq.sendIp(Buffer.alloc(28, 0x45)), false);
  assert.equal(h.events.length, events);
  assert.equal(h.outcomes.length, 1);
}

describe('SessionSequencer teardown from every phase', () => {
  for (const phase of ['tcp', 'tls'] as const) {
    it(`a cancel while dialling (${phase}) ends once, typed`, () => {
      const h = new Harness();
      h.seq.begin();
      h.seq.enter('tcp');
      if (phase === 'tls') h.seq.enter('tls');
      h.seq.disconnect();
      assertEndedOnce(h, phase, 'cancelled');
      assert.equal(h.seq.isClosed(), true, 'the dialer sees it and stops');
      assertInert(h);
    });
  }

  for (const held of HELD) {
    it(`a cancel in ${held} ends once, typed, and tells the server when a call exists`, () => {
      const h = new Harness({ holdAt: held }).start();
      assert.equal(h.phases.at(-1), held);
      assert.equal(h.seq.stateName, 'connecting');
      h.seq.disconnect();
      assertEndedOnce(h, held, 'cancelled');
      h.pump();
      assert.equal(h.serverReceived.includes('CALL_ABORT'), held !== 'http');
      assertInert(h);
    });

    it(`a lost transport in ${held} ends once, typed, and sends nothing more`, () => {
      const h = new Harness({ holdAt: held }).start();
      const sent = h.serverReceived.length;
      h.seq.transportLost('ECONNRESET read ECONNRESET');
      assertEndedOnce(h, held, 'connection-lost');
      assert.equal(h.serverReceived.length, sent, 'no CALL_ABORT into a dead transport');
      assertInert(h);
    });
  }

  it('a failure while connected ends once, typed', () => {
    const h = new Harness().start();
    h.seq.transportLost('closed');
    assert.equal(h.closedEvents.length, 1);
    assert.equal(h.closedEvents[0]?.code, 'connection-lost');
    assert.equal(h.closedEvents[0]?.phase, 'connected');
    // connect() had its one, successful, outcome; the failure reaches 'closed' only.
    assert.equal(h.outcomes.length, 1);
    assert.ok(h.outcomes[0]?.ok);
    assert.equal(h.closeTransportCalls, 1);
    assert.equal(h.clock.pending, 0);
    assertInert(h);
  });

  it("the server's CALL_ABORT while connected ends once, typed", () => {
    const h = new Harness().start();
    h.server.send(callAbort(statusInfo('NO_ERROR')));
    h.pump();
    assert.equal(h.closedEvents.length, 1);
    const f = h.closedEvents[0];
    assert.ok(f && typeof f.code === 'string' && f.message.length > 0, JSON.stringify(f));
    assert.equal(h.clock.pending, 0);
    assertInert(h);
  });
});

describe('SessionSequencer: disconnect and failure through the one path', () => {
  it('a clean disconnect: LCP Terminate, CALL_DISCONNECT, then closed with no failure', () => {
    const h = new Harness().start();
    h.seq.disconnect();
    assert.equal(h.seq.stateName, 'disconnecting');
    h.seq.disconnect(); // a second call changes nothing
    h.pump();
    assert.deepEqual(h.closedEvents, [null]);
    assert.equal(h.seq.stateName, 'closed');
    assert.deepEqual(h.serverReceived.slice(-1), ['CALL_DISCONNECT']);
    const kinds = h.server.log.events.map((e) => (e.kind === 'sstp-received' ? e.message : e.kind));
    const terminated = h.server.log.events.findIndex((e) => e.kind === 'fault' && e.action === 'client terminated LCP');
    assert.ok(terminated >= 0 && terminated < kinds.lastIndexOf('CALL_DISCONNECT'), h.server.log.summary());
    assert.equal(h.outcomes.length, 1, 'connect() kept its one (successful) outcome');
    assert.ok(h.outcomes[0]?.ok);
    assert.equal(h.closeTransportCalls, 1);
    assert.equal(h.clock.pending, 0);
    assert.ok(h.logs.some((l) => l.phase === 'disconnect' && l.message === 'disconnected'));
    assertInert(h);
  });

  it('a server that never acks LCP Terminate holds the disconnect 1 s at most', () => {
    const h = new Harness().start();
    h.seq.disconnect();
    h.server.take(); // the Terminate-Ack is lost
    h.tick(999);
    assert.equal(h.serverReceived.includes('CALL_DISCONNECT'), false);
    h.tick(1);
    assert.deepEqual(h.closedEvents, [null]);
    assert.ok(h.serverReceived.includes('CALL_DISCONNECT'));
    assert.equal(h.clock.pending, 0);
  });

  it('the transport going away while disconnecting is still the clean end', () => {
    const h = new Harness().start();
    h.seq.disconnect();
    h.seq.transportLost('closed');
    assert.deepEqual(h.closedEvents, [null]);
    assert.equal(h.clock.pending, 0);
    assertInert(h);
  });

  it('a failure while disconnecting wins over the clean end, once', () => {
    const h = new Harness().start();
    h.seq.disconnect();
    h.seq.receive(Buffer.from([0x11, 0x00, 0x00, 0x04]));
    assert.equal(h.closedEvents.length, 1);
    assert.equal(h.closedEvents[0]?.code, 'protocol-error');
    assert.equal(h.closedEvents[0]?.phase, 'disconnect');
    assertInert(h);
  });

  it('the CALL_ABORT status says why: negotiation timeout and protocol errors are named', () => {
    const h = new Harness({ holdAt: 'lcp' }).start();
    h.seq.fail(failure('lcp', 'protocol-error', 'bad'));
    h.pump();
    const abort = h.server.log.all('sstp-received').find((e) => e.message === 'CALL_ABORT');
    assert.equal(abort?.status, STATUS.INVALID_FRAME_RECEIVED);
  });
});
