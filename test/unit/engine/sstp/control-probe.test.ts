// SstpClientControl.probe: an SSTP echo now, after a resume or a network change, that must be
// answered within a bound, or the call fails as a dead peer. On the manual clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { Logger } from '../../../../main/engine/log.js';
import { SstpClientControl, type SstpControlEvent } from '../../../../main/engine/sstp/control.js';
import { bareMessage, callConnectAck, decodeControlPacket } from '../../../../main/engine/sstp/codec.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function connected() {
  const clock = new ManualClock();
  const sent: string[] = [];
  const events: SstpControlEvent[] = [];
  const control = new SstpClientControl({
    clock,
    log: quiet,
    send: (p) => {
      const d = decodeControlPacket(p);
      assert.ok(d.ok);
      sent.push(d.value.type);
    },
    onEvent: (e) => events.push(e),
  });
  control.start();
  control.receiveControl(callConnectAck(0x03, Buffer.alloc(32, 1)));
  assert.equal(control.sendCallConnected(Buffer.alloc(32, 2), Buffer.from('cert')), true);
  return { clock, sent, events, control };
}

async function settled(p: Promise<boolean>): Promise<boolean | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

describe('SstpClientControl.probe', () => {
  it('sends ECHO_REQUEST at once and resolves true on the ECHO_RESPONSE; the call stays up', async () => {
    const h = connected();
    const answered = h.control.probe(750);
    assert.equal(h.sent.at(-1), 'ECHO_REQUEST');
    h.clock.advance(300);
    assert.equal(await settled(answered), 'pending');
    h.control.receiveControl(bareMessage('ECHO_RESPONSE'));
    assert.equal(await answered, true);
    h.clock.advance(10_000);
    assert.equal(
      h.events.some((e) => e.type === 'failed'),
      false,
    );
    assert.equal(h.control.stateName, 'connected');
  });

  it('other traffic does not count as an answer: bytes read after a resume may have been queued before it', async () => {
    const h = connected();
    const answered = h.control.probe(750);
    h.control.noteReceive();
    h.control.receiveControl(bareMessage('ECHO_REQUEST'));
    h.clock.advance(749);
    assert.equal(await settled(answered), 'pending');
    h.clock.advance(1);
    assert.equal(await answered, false);
  });

  it('unanswered within the bound: false, a dead-peer failure that says why, and CALL_ABORT', async () => {
    const h = connected();
    const answered = h.control.probe(750);
    h.clock.advance(750);
    assert.equal(await answered, false);
    const f = h.events.find((e) => e.type === 'failed');
    assert.ok(f && f.type === 'failed');
    assert.equal(f.failure.code, 'dead-peer');
    assert.match(f.failure.message, /did not answer a check within 750 ms/);
    assert.equal(h.sent.at(-1), 'CALL_ABORT');
  });

  it('a second probe while one is in flight shares it (one echo); none before the call is up', async () => {
    const h = connected();
    const a = h.control.probe(750);
    const b = h.control.probe(750);
    assert.equal(h.sent.filter((t) => t === 'ECHO_REQUEST').length, 1);
    h.control.receiveControl(bareMessage('ECHO_RESPONSE'));
    assert.deepEqual(await Promise.all([a, b]), [true, true]);

    const clock = new ManualClock();
    const idle = new SstpClientControl({ clock, log: quiet, send: () => {}, onEvent: () => {} });
    assert.equal(await idle.probe(750), false);
  });

  it('stop() settles a probe in flight as unanswered, without a failure event', async () => {
    const h = connected();
    const answered = h.control.probe(750);
    h.control.stop();
    assert.equal(await answered, false);
    h.clock.advance(1_000);
    assert.equal(
      h.events.some((e) => e.type === 'failed'),
      false,
    );
  });
});
