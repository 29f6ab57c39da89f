import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { Logger } from '../../../../main/engine/log.js';
import { SstpClientControl, type SstpControlEvent, type SstpTimers } from '../../../../main/engine/sstp/control.js';
import {
  bareMessage,
  callAbort,
  callConnectAck,
  callConnectNak,
  callDisconnect,
  decodeControlPacket,
  findAttribute,
  statusInfo,
  STATUS,
  type ControlMessage,
  type StatusName,
} from '../../../../main/engine/sstp/codec.js';
import { verifyCallConnected } from '../../../../main/engine/sstp/crypto-binding.js';

const nonce = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));
const hlak = Buffer.alloc(32, 0x5a);
const certDer = Buffer.from('leaf certificate DER stand-in', 'latin1');

function harness(timers: Partial<SstpTimers> = {}, connectRetries?: number) {
  const clock = new ManualClock();
  const sent: ControlMessage[] = [];
  const raw: Buffer[] = [];
  const events: SstpControlEvent[] = [];
  const logs: string[] = [];
  const log: Logger = {
    debug: (m) => logs.push(`debug ${m}`),
    info: (m) => logs.push(`info ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
    error: (m) => logs.push(`error ${m}`),
  };
  const control = new SstpClientControl({
    clock,
    log,
    send: (p) => {
      const d = decodeControlPacket(p);
      assert.ok(d.ok, 'the control machine only sends well-formed packets');
      raw.push(p);
      sent.push(d.value);
    },
    onEvent: (e) => events.push(e),
    timers,
    ...(connectRetries !== undefined ? { connectRetries } : {}),
  });
  const types = () => sent.map((m) => m.type);
  const eventTypes = () => events.map((e) => e.type);
  const lastStatus = (): number | undefined => {
    const last = sent.at(-1);
    return last ? findAttribute(last, 'STATUS_INFO')?.status : undefined;
  };
  const failure = () => {
    const f = events.find((e) => e.type === 'failed');
    assert.ok(f && f.type === 'failed', 'expected a failed event');
    return f.failure;
  };
  return { clock, control, sent, raw, events, logs, types, eventTypes, lastStatus, failure };
}

/** Started and acked (SHA-256 offered). */
function acked(timers: Partial<SstpTimers> = {}) {
  const h = harness(timers);
  h.control.start();
  h.control.receiveControl(callConnectAck(0x03, nonce));
  return h;
}

function connected(timers: Partial<SstpTimers> = {}) {
  const h = acked(timers);
  assert.equal(h.control.sendCallConnected(hlak, certDer), true);
  return h;
}

const status = (name: StatusName) => STATUS[name];

describe('SstpClientControl: call establishment', () => {
  it('start() sends CALL_CONNECT_REQUEST for PPP and traces it', () => {
    const h = harness();
    h.control.start();
    assert.deepEqual(h.types(), ['CALL_CONNECT_REQUEST']);
    assert.equal(findAttribute(h.sent[0] as ControlMessage, 'ENCAPSULATED_PROTOCOL_ID')?.protocolId, 1);
    assert.ok(h.logs.includes('debug send [SSTP CALL_CONNECT_REQUEST proto=PPP]'), h.logs.join('\n'));
    assert.equal(h.control.stateName, 'connect-sent');
  });

  it('CALL_CONNECT_ACK emits connect-ack with the nonce, choosing SHA-256 when offered', () => {
    const h = acked();
    assert.deepEqual(h.events, [{ type: 'connect-ack', hash: 'sha256', hashBitmask: 3, nonce }]);
    assert.ok(h.logs.some((l) => l.startsWith('debug recv [SSTP CALL_CONNECT_ACK hashes=SHA1|SHA256 nonce=')));
    assert.equal(h.control.stateName, 'ack-received');
  });

  it('SHA-1-only servers get SHA-1', () => {
    const h = harness();
    h.control.start();
    h.control.receiveControl(callConnectAck(0x01, nonce));
    assert.deepEqual(h.events[0], { type: 'connect-ack', hash: 'sha1', hashBitmask: 1, nonce });
  });

  it('an ack without CRYPTO_BINDING_REQ fails and aborts with REQUIRED_ATTRIBUTE_MISSING', () => {
    const h = harness();
    h.control.start();
    h.control.receiveControl({ type: 'CALL_CONNECT_ACK', attributes: [] });
    assert.equal(h.failure().code, 'sstp-negotiation-failed');
    assert.equal(h.failure().phase, 'sstp');
    assert.deepEqual(h.types(), ['CALL_CONNECT_REQUEST', 'CALL_ABORT']);
    assert.equal(h.lastStatus(), status('REQUIRED_ATTRIBUTE_MISSING'));
  });

  it('an ack offering neither SHA-1 nor SHA-256 fails with VALUE_NOT_SUPPORTED', () => {
    const h = harness();
    h.control.start();
    h.control.receiveControl(callConnectAck(0x04, nonce));
    assert.equal(h.failure().code, 'sstp-negotiation-failed');
    assert.match(h.failure().message, /SHA-1 or SHA-256/);
    assert.equal(h.lastStatus(), status('VALUE_NOT_SUPPORTED'));
  });

  it('NAK is answered with a new request three times, the fourth NAK fails', () => {
    const h = harness();
    h.control.start();
    const nak = callConnectNak([statusInfo('VALUE_NOT_SUPPORTED', 1)]);
    for (let i = 0; i < 3; i++) h.control.receiveControl(nak);
    assert.deepEqual(h.types(), Array(4).fill('CALL_CONNECT_REQUEST'));
    assert.equal(h.events.length, 0);
    h.control.receiveControl(nak);
    assert.deepEqual(h.types().slice(4), ['CALL_ABORT']);
    assert.equal(h.lastStatus(), status('RETRY_COUNT_EXCEEDED'));
    const f = h.failure();
    assert.equal(f.code, 'sstp-negotiation-failed');
    assert.match(f.message, /VALUE_NOT_SUPPORTED/);
  });

  it('a NAK then an ACK connects', () => {
    const h = harness();
    h.control.start();
    h.control.receiveControl(callConnectNak([]));
    h.control.receiveControl(callConnectAck(0x02, nonce));
    assert.deepEqual(h.eventTypes(), ['connect-ack']);
  });

  it('the retry count is configurable', () => {
    const h = harness({}, 0);
    h.control.start();
    h.control.receiveControl(callConnectNak([]));
    assert.deepEqual(h.types(), ['CALL_CONNECT_REQUEST', 'CALL_ABORT']);
    assert.equal(h.failure().code, 'sstp-negotiation-failed');
  });

  it('no answer to the request within 60 s is a negotiation timeout', () => {
    const h = harness();
    h.control.start();
    h.clock.advance(59_999);
    assert.equal(h.events.length, 0);
    h.clock.advance(1);
    assert.equal(h.failure().code, 'negotiation-timeout');
    assert.deepEqual(h.types(), ['CALL_CONNECT_REQUEST', 'CALL_ABORT']);
    assert.equal(h.lastStatus(), status('NEGOTIATION_TIMEOUT'));
  });

  it('PPP authentication not done within 60 s of the ack is a negotiation timeout', () => {
    const h = acked();
    h.clock.advance(60_000);
    assert.equal(h.failure().code, 'negotiation-timeout');
    assert.match(h.failure().message, /authentication/);
  });

  it('sendCallConnected sends a CALL_CONNECTED a strict server verifies, and stops the negotiation timer', () => {
    const h = connected();
    assert.equal(h.types().at(-1), 'CALL_CONNECTED');
    const packet = h.raw.at(-1) as Buffer;
    assert.equal(packet.length, 112);
    assert.deepEqual(verifyCallConnected(packet, { hlak, nonce, certDer, offeredBitmask: 0x03 }), {
      ok: true,
      hash: 'sha256',
    });
    assert.ok(h.logs.some((l) => l.startsWith('debug send [SSTP CALL_CONNECTED hash=SHA256')));
    h.clock.advance(59_000);
    assert.equal(h.eventTypes().includes('failed'), false);
    assert.equal(h.control.stateName, 'connected');
  });

  it('sendCallConnected outside ack-received sends nothing', () => {
    const h = harness();
    h.control.start();
    assert.equal(h.control.sendCallConnected(hlak, certDer), false);
    assert.deepEqual(h.types(), ['CALL_CONNECT_REQUEST']);
  });
});

describe('SstpClientControl: echo and hello', () => {
  it('answers ECHO_REQUEST with ECHO_RESPONSE, before and after CALL_CONNECTED', () => {
    const h = harness();
    h.control.start();
    h.control.receiveControl(bareMessage('ECHO_REQUEST'));
    assert.deepEqual(h.types(), ['CALL_CONNECT_REQUEST', 'ECHO_RESPONSE']);
    const c = connected();
    c.control.receiveControl(bareMessage('ECHO_REQUEST'));
    assert.equal(c.types().at(-1), 'ECHO_RESPONSE');
  });

  it('silence: ECHO_REQUEST after one interval, dead-peer after the second', () => {
    const h = connected();
    const before = h.sent.length;
    h.clock.advance(59_999);
    assert.equal(h.sent.length, before);
    h.clock.advance(1);
    assert.equal(h.types().at(-1), 'ECHO_REQUEST');
    h.clock.advance(59_999);
    assert.equal(h.eventTypes().includes('failed'), false);
    h.clock.advance(1);
    const f = h.failure();
    assert.equal(f.code, 'dead-peer');
    assert.equal(f.phase, 'sstp');
    assert.equal(h.types().at(-1), 'CALL_ABORT');
  });

  it('traffic keeps the hello timer quiet', () => {
    const h = connected();
    const before = h.sent.length;
    for (let i = 0; i < 10; i++) {
      h.clock.advance(30_000);
      h.control.noteReceive();
    }
    assert.equal(h.sent.length, before);
    assert.equal(h.events.length, 1);
  });

  it('an answer to our echo resets the dead-peer clock', () => {
    const h = connected();
    h.clock.advance(60_000);
    assert.equal(h.types().at(-1), 'ECHO_REQUEST');
    h.clock.advance(1_000);
    h.control.receiveControl(bareMessage('ECHO_RESPONSE'));
    h.clock.advance(59_000);
    assert.equal(h.eventTypes().includes('failed'), false);
    assert.equal(h.types().filter((t) => t === 'ECHO_REQUEST').length, 1);
    h.clock.advance(1_000);
    assert.equal(
      h.types().filter((t) => t === 'ECHO_REQUEST').length,
      2,
      'a new echo after a fresh interval of silence',
    );
    h.clock.advance(60_000);
    assert.equal(h.failure().code, 'dead-peer');
  });

  it('the interval is configurable', () => {
    const h = connected({ helloIntervalMs: 10_000 });
    h.clock.advance(10_000);
    assert.equal(h.types().at(-1), 'ECHO_REQUEST');
    h.clock.advance(10_000);
    assert.equal(h.failure().code, 'dead-peer');
  });
});

describe('SstpClientControl: teardown', () => {
  it('disconnect(): CALL_DISCONNECT, closed on CALL_DISCONNECT_ACK, no failure', () => {
    const h = connected();
    h.control.disconnect();
    assert.equal(h.types().at(-1), 'CALL_DISCONNECT');
    assert.equal(h.control.stateName, 'disconnecting');
    h.control.receiveControl(bareMessage('CALL_DISCONNECT_ACK'));
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'closed']);
    assert.equal(h.clock.pending, 0);
  });

  it('disconnect(): closed after 5 s without an ack', () => {
    const h = connected();
    h.control.disconnect();
    h.clock.advance(4_999);
    assert.deepEqual(h.eventTypes(), ['connect-ack']);
    h.clock.advance(1);
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'closed']);
  });

  it('disconnect() before start closes at once without sending', () => {
    const h = harness();
    h.control.disconnect();
    assert.deepEqual(h.types(), []);
    assert.deepEqual(h.eventTypes(), ['closed']);
  });

  it('the server aborting: failure peer-abort with the status in words, our CALL_ABORT, closed', () => {
    const h = connected();
    h.control.receiveControl(callAbort(statusInfo('INVALID_FRAME_RECEIVED')));
    const f = h.failure();
    assert.equal(f.code, 'peer-abort');
    assert.match(f.message, /^The server aborted the call: INVALID_FRAME_RECEIVED \(a packet could not be parsed\)/);
    assert.equal(h.types().at(-1), 'CALL_ABORT');
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'failed', 'closed']);
    assert.equal(h.clock.pending, 0);
  });

  it('the server aborting without a status still reads well', () => {
    const h = harness();
    h.control.start();
    h.control.receiveControl({ type: 'CALL_ABORT', attributes: [] });
    assert.match(h.failure().message, /no reason given/);
  });

  it('the server disconnecting: CALL_DISCONNECT_ACK, failure peer-disconnect, closed', () => {
    const h = connected();
    h.control.receiveControl(callDisconnect());
    assert.equal(h.types().at(-1), 'CALL_DISCONNECT_ACK');
    assert.equal(h.failure().code, 'peer-disconnect');
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'failed', 'closed']);
  });

  it('an unexpected message aborts with UNACCEPTED_FRAME_RECEIVED; the peer answer closes at once', () => {
    const h = connected();
    h.control.receiveControl(callConnectAck(0x02, nonce));
    assert.equal(h.failure().code, 'protocol-error');
    assert.equal(h.lastStatus(), status('UNACCEPTED_FRAME_RECEIVED'));
    assert.equal(h.control.stateName, 'aborting');
    h.control.receiveControl(bareMessage('ECHO_REQUEST'));
    assert.equal(h.types().at(-1), 'CALL_ABORT', 'ignored while aborting');
    h.control.receiveControl(callAbort(statusInfo('NO_ERROR')));
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'failed', 'closed']);
  });

  it('messages a client never receives are unexpected before and after CALL_CONNECTED', () => {
    const never: ControlMessage[] = [
      { type: 'CALL_CONNECT_REQUEST', attributes: [] },
      { type: 'CALL_CONNECTED', attributes: [] },
      { type: 'CALL_DISCONNECT_ACK', attributes: [] },
    ];
    for (const msg of never) {
      for (const make of [
        () => {
          const h = harness();
          h.control.start();
          return h;
        },
        () => acked(),
        () => connected(),
      ]) {
        const h = make();
        h.control.receiveControl(msg);
        assert.equal(h.failure().code, 'protocol-error', msg.type);
        assert.equal(h.lastStatus(), status('UNACCEPTED_FRAME_RECEIVED'));
      }
    }
  });

  it('a malformed control packet aborts with INVALID_FRAME_RECEIVED', () => {
    const h = connected();
    h.control.receiveMalformed({ what: 'SSTP control packet', field: 'attribute[0].length', reason: '3 is too short' });
    const f = h.failure();
    assert.equal(f.code, 'protocol-error');
    assert.match(f.detail ?? '', /attribute\[0\]\.length/);
    assert.equal(h.lastStatus(), status('INVALID_FRAME_RECEIVED'));
  });

  it('abort(status) from the session: CALL_ABORT, no failed event, closed after 3 s', () => {
    const h = acked();
    h.control.abort('NO_ERROR');
    assert.equal(h.types().at(-1), 'CALL_ABORT');
    h.clock.advance(2_999);
    assert.deepEqual(h.eventTypes(), ['connect-ack']);
    h.clock.advance(1);
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'closed']);
  });

  it('abortMs 0 closes right after CALL_ABORT', () => {
    const h = acked({ abortMs: 0 });
    h.control.abort('NO_ERROR');
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'closed']);
    const f = acked({ abortMs: 0 });
    f.control.receiveControl({ type: 'CALL_CONNECTED', attributes: [] });
    assert.deepEqual(f.eventTypes(), ['connect-ack', 'failed', 'closed']);
  });

  it('stop() cancels every timer and silences the machine', () => {
    const h = connected();
    h.control.disconnect();
    h.control.stop();
    assert.equal(h.clock.pending, 0);
    const count = h.sent.length;
    h.control.receiveControl(bareMessage('ECHO_REQUEST'));
    h.control.abort('NO_ERROR');
    h.clock.advance(600_000);
    assert.equal(h.sent.length, count);
    assert.deepEqual(h.eventTypes(), ['connect-ack']);
  });

  it('stop() from inside the failed handler leaves nothing pending', () => {
    const clock = new ManualClock();
    const events: string[] = [];
    const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const control: SstpClientControl = new SstpClientControl({
      clock,
      log: quiet,
      send: () => {},
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'failed') control.stop();
      },
    });
    control.start();
    clock.advance(60_000);
    assert.deepEqual(events, ['failed']);
    assert.equal(clock.pending, 0);
  });

  it('at most one failed and one closed event, whatever follows', () => {
    const h = connected();
    h.control.receiveControl({ type: 'CALL_CONNECT_ACK', attributes: [] });
    h.control.receiveControl(callDisconnect());
    h.control.receiveMalformed({ what: 'x', field: 'y', reason: 'z' });
    h.control.disconnect();
    h.clock.advance(600_000);
    h.control.receiveControl(callAbort(statusInfo('NO_ERROR')));
    assert.deepEqual(h.eventTypes(), ['connect-ack', 'failed', 'closed']);
  });
});
