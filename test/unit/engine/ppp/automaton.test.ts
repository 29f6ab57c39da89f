import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/engine/clock.js';
import { phaseLogger, silentSink } from '../../../../main/engine/log.js';
import { Automaton } from '../../../../main/engine/ppp/automaton.js';
import type { State } from '../../../../main/engine/ppp/automaton.js';
import { encodeOptions } from '../../../../main/engine/ppp/options.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { codeName } from '../../../../main/engine/ppp/packet.js';
import type { ControlPacket } from '../../../../main/engine/ppp/packet.js';
import type { Judgement, NegotiationPolicy, Outcome, Verdict } from '../../../../main/engine/ppp/policy.js';
import { opt } from './harness.js';

/** A policy that asks for `wishes` and judges each peer option with `verdict`. */
class TestPolicy implements NegotiationPolicy {
  wishes: ConfigOption[] = [opt(1, 0x05, 0xdc)];
  verdict: (o: ConfigOption) => Verdict = () => ({ kind: 'ack' });
  readonly calls: string[] = [];
  readonly exhausted: boolean[] = [];
  buildRequest(): readonly ConfigOption[] {
    return this.wishes;
  }
  requestAcked(): void {
    this.calls.push('acked');
  }
  judgeRequest(options: readonly ConfigOption[], ctx: { naksExhausted: boolean }): Judgement {
    this.exhausted.push(ctx.naksExhausted);
    return { kind: 'verdicts', verdicts: options.map((o) => this.verdict(o)) };
  }
  peerAccepted(): void {
    this.calls.push('peer-accepted');
  }
  applyNak(options: readonly ConfigOption[]): Outcome {
    this.calls.push(`nak:${options.map((o) => o.type).join(',')}`);
    for (const o of options) this.wishes = this.wishes.map((w) => (w.type === o.type ? o : w));
    return 'ok';
  }
  applyReject(options: readonly ConfigOption[]): Outcome {
    this.calls.push(`rej:${options.map((o) => o.type).join(',')}`);
    this.wishes = this.wishes.filter((w) => !options.some((o) => o.type === w.type));
    return 'ok';
  }
}

function make(limits = { restartMs: 3000, maxConfigure: 10, maxTerminate: 2, maxFailure: 5 }) {
  const clock = new ManualClock();
  const sent: ControlPacket[] = [];
  const all: ControlPacket[] = [];
  const hooks: string[] = [];
  const policy = new TestPolicy();
  const fsm = new Automaton({
    name: 'TEST',
    codes: 'lcp',
    policy,
    clock,
    log: phaseLogger(silentSink, 'lcp'),
    limits,
    peerMru: () => 20,
    hooks: {
      send: (p) => (sent.push(p), all.push(p)),
      up: () => hooks.push('up'),
      down: (c) => hooks.push(`down:${c}`),
      started: () => hooks.push('started'),
      finished: (c) => hooks.push(`finished:${c}`),
    },
  });
  const t = {
    clock,
    sent,
    hooks,
    policy,
    fsm,
    /** Feed a packet; options are encoded when given as a list. */
    rx(code: number, id: number, data: readonly ConfigOption[] | Buffer = []) {
      fsm.receive({ code, id, data: Buffer.isBuffer(data) ? data : encodeOptions(data) });
    },
    lastReq(): ControlPacket {
      const r = [...all].reverse().find((p) => p.code === 1);
      assert.ok(r, 'no Configure-Request sent');
      return r;
    },
    reset() {
      sent.length = 0;
      hooks.length = 0;
    },
  };
  return t;
}

type T = ReturnType<typeof make>;
const peerReq = [opt(1, 0x05, 0xdc)];
const setups: Record<string, (t: T) => void> = {
  initial: () => {},
  starting: (t) => t.fsm.open(),
  closed: (t) => t.fsm.up(),
  'req-sent': (t) => (t.fsm.open(), t.fsm.up()),
  'ack-rcvd': (t) => (setups['req-sent']?.(t), t.rx(2, t.lastReq().id, t.lastReq().data)),
  'ack-sent': (t) => (setups['req-sent']?.(t), t.rx(1, 0x50, peerReq)),
  opened: (t) => (setups['ack-rcvd']?.(t), t.rx(1, 0x50, peerReq)),
  closing: (t) => (setups.opened?.(t), t.fsm.close()),
  stopping: (t) => (setups.opened?.(t), t.rx(5, 0x60)),
  stopped: (t) => (setups['req-sent']?.(t), t.rx(7, 0x70, Buffer.from([1, 1, 0, 4]))),
};

const nakAll = (t: T) => (t.policy.verdict = (o) => ({ kind: 'nak', suggest: o }));

interface Case {
  from: State;
  event: string;
  act: (t: T) => void;
  to: State;
  sent?: string[];
  hooks?: string[];
}

const cases: Case[] = [
  { from: 'initial', event: 'Up', act: (t) => t.fsm.up(), to: 'closed' },
  { from: 'initial', event: 'Open', act: (t) => t.fsm.open(), to: 'starting', hooks: ['started'] },
  { from: 'initial', event: 'Close', act: (t) => t.fsm.close(), to: 'initial' },
  { from: 'starting', event: 'Up', act: (t) => t.fsm.up(), to: 'req-sent', sent: ['ConfReq'] },
  { from: 'starting', event: 'Close', act: (t) => t.fsm.close(), to: 'initial', hooks: ['finished:Close'] },
  { from: 'closed', event: 'Open', act: (t) => t.fsm.open(), to: 'req-sent', sent: ['ConfReq'] },
  { from: 'closed', event: 'Down', act: (t) => t.fsm.down(), to: 'initial' },
  { from: 'closed', event: 'RCR', act: (t) => t.rx(1, 9, peerReq), to: 'closed', sent: ['TermAck'] },
  { from: 'closed', event: 'RCA', act: (t) => t.rx(2, 9, peerReq), to: 'closed', sent: ['TermAck'] },
  { from: 'closed', event: 'RCN', act: (t) => t.rx(3, 9, peerReq), to: 'closed', sent: ['TermAck'] },
  { from: 'closed', event: 'RTR', act: (t) => t.rx(5, 9), to: 'closed', sent: ['TermAck'] },
  { from: 'closed', event: 'RTA', act: (t) => t.rx(6, 9), to: 'closed' },
  { from: 'closed', event: 'RUC', act: (t) => t.rx(0x20, 9), to: 'closed', sent: ['CodeRej'] },
  { from: 'stopped', event: 'RCR+', act: (t) => t.rx(1, 9, peerReq), to: 'ack-sent', sent: ['ConfReq', 'ConfAck'] },
  {
    from: 'stopped',
    event: 'RCR-',
    act: (t) => (nakAll(t), t.rx(1, 9, peerReq)),
    to: 'req-sent',
    sent: ['ConfReq', 'ConfNak'],
  },
  { from: 'stopped', event: 'RCA', act: (t) => t.rx(2, 9, peerReq), to: 'stopped', sent: ['TermAck'] },
  { from: 'stopped', event: 'RTR', act: (t) => t.rx(5, 9), to: 'stopped', sent: ['TermAck'] },
  { from: 'stopped', event: 'Close', act: (t) => t.fsm.close(), to: 'closed' },
  { from: 'stopped', event: 'Down', act: (t) => t.fsm.down(), to: 'starting', hooks: ['started'] },
  { from: 'stopped', event: 'Open', act: (t) => t.fsm.open(), to: 'stopped' },
  { from: 'closing', event: 'RTA', act: (t) => t.rx(6, 9), to: 'closed', hooks: ['finished:RTA'] },
  { from: 'closing', event: 'RTR', act: (t) => t.rx(5, 9), to: 'closing', sent: ['TermAck'] },
  { from: 'closing', event: 'RCR', act: (t) => t.rx(1, 9, peerReq), to: 'closing' },
  { from: 'closing', event: 'TO+', act: (t) => t.clock.advance(3000), to: 'closing', sent: ['TermReq'] },
  { from: 'closing', event: 'Open', act: (t) => t.fsm.open(), to: 'stopping' },
  { from: 'closing', event: 'Down', act: (t) => t.fsm.down(), to: 'initial' },
  { from: 'stopping', event: 'RTA', act: (t) => t.rx(6, 9), to: 'stopped', hooks: ['finished:RTA'] },
  { from: 'stopping', event: 'TO-', act: (t) => t.clock.advance(3000), to: 'stopped', hooks: ['finished:TO-'] },
  { from: 'stopping', event: 'Close', act: (t) => t.fsm.close(), to: 'closing' },
  { from: 'stopping', event: 'Down', act: (t) => t.fsm.down(), to: 'starting' },
  { from: 'req-sent', event: 'RCA', act: (t) => t.rx(2, 1, t.lastReq().data), to: 'ack-rcvd' },
  { from: 'req-sent', event: 'RCR+', act: (t) => t.rx(1, 9, peerReq), to: 'ack-sent', sent: ['ConfAck'] },
  { from: 'req-sent', event: 'RCR-', act: (t) => (nakAll(t), t.rx(1, 9, peerReq)), to: 'req-sent', sent: ['ConfNak'] },
  { from: 'req-sent', event: 'RCN', act: (t) => t.rx(3, 1, [opt(1, 0x05, 0xac)]), to: 'req-sent', sent: ['ConfReq'] },
  {
    from: 'req-sent',
    event: 'RCN (reject)',
    act: (t) => t.rx(4, 1, t.lastReq().data),
    to: 'req-sent',
    sent: ['ConfReq'],
  },
  { from: 'req-sent', event: 'TO+', act: (t) => t.clock.advance(3000), to: 'req-sent', sent: ['ConfReq'] },
  { from: 'req-sent', event: 'RTR', act: (t) => t.rx(5, 9), to: 'req-sent', sent: ['TermAck'] },
  { from: 'req-sent', event: 'RTA', act: (t) => t.rx(6, 9), to: 'req-sent' },
  { from: 'req-sent', event: 'Close', act: (t) => t.fsm.close(), to: 'closing', sent: ['TermReq'] },
  { from: 'req-sent', event: 'Down', act: (t) => t.fsm.down(), to: 'starting' },
  { from: 'req-sent', event: 'RUC', act: (t) => t.rx(0x20, 9), to: 'req-sent', sent: ['CodeRej'] },
  { from: 'req-sent', event: 'RXJ+', act: (t) => t.rx(7, 9, Buffer.from([9, 1, 0, 8, 0, 0, 0, 0])), to: 'req-sent' },
  {
    from: 'req-sent',
    event: 'RXJ-',
    act: (t) => t.rx(7, 9, Buffer.from([1, 1, 0, 4])),
    to: 'stopped',
    hooks: ['finished:RXJ-'],
  },
  { from: 'ack-rcvd', event: 'RCR+', act: (t) => t.rx(1, 9, peerReq), to: 'opened', sent: ['ConfAck'], hooks: ['up'] },
  { from: 'ack-rcvd', event: 'RCR-', act: (t) => (nakAll(t), t.rx(1, 9, peerReq)), to: 'ack-rcvd', sent: ['ConfNak'] },
  { from: 'ack-rcvd', event: 'TO+', act: (t) => t.clock.advance(3000), to: 'req-sent', sent: ['ConfReq'] },
  { from: 'ack-rcvd', event: 'RXJ+', act: (t) => t.rx(7, 9, Buffer.from([9, 1, 0, 8, 0, 0, 0, 0])), to: 'req-sent' },
  { from: 'ack-rcvd', event: 'RTA', act: (t) => t.rx(6, 9), to: 'req-sent' },
  { from: 'ack-rcvd', event: 'RTR', act: (t) => t.rx(5, 9), to: 'req-sent', sent: ['TermAck'] },
  { from: 'ack-sent', event: 'RCA', act: (t) => t.rx(2, 1, t.lastReq().data), to: 'opened', hooks: ['up'] },
  { from: 'ack-sent', event: 'RCN', act: (t) => t.rx(3, 1, [opt(1, 0x05, 0xac)]), to: 'ack-sent', sent: ['ConfReq'] },
  { from: 'ack-sent', event: 'RCR-', act: (t) => (nakAll(t), t.rx(1, 9, peerReq)), to: 'req-sent', sent: ['ConfNak'] },
  { from: 'ack-sent', event: 'TO+', act: (t) => t.clock.advance(3000), to: 'ack-sent', sent: ['ConfReq'] },
  { from: 'ack-sent', event: 'Close', act: (t) => t.fsm.close(), to: 'closing', sent: ['TermReq'] },
  {
    from: 'opened',
    event: 'RCR+',
    act: (t) => t.rx(1, 9, peerReq),
    to: 'ack-sent',
    sent: ['ConfReq', 'ConfAck'],
    hooks: ['down:RCR+'],
  },
  {
    from: 'opened',
    event: 'RCR-',
    act: (t) => (nakAll(t), t.rx(1, 9, peerReq)),
    to: 'req-sent',
    sent: ['ConfReq', 'ConfNak'],
    hooks: ['down:RCR-'],
  },
  { from: 'opened', event: 'RTR', act: (t) => t.rx(5, 9), to: 'stopping', sent: ['TermAck'], hooks: ['down:RTR'] },
  { from: 'opened', event: 'RTA', act: (t) => t.rx(6, 9), to: 'req-sent', sent: ['ConfReq'], hooks: ['down:RTA'] },
  {
    from: 'opened',
    event: 'Close',
    act: (t) => t.fsm.close(),
    to: 'closing',
    sent: ['TermReq'],
    hooks: ['down:Close'],
  },
  { from: 'opened', event: 'Down', act: (t) => t.fsm.down(), to: 'starting', hooks: ['down:Down'] },
  {
    from: 'opened',
    event: 'RXJ-',
    act: (t) => t.rx(7, 9, Buffer.from([5, 1, 0, 4])),
    to: 'stopping',
    sent: ['TermReq'],
    hooks: ['down:RXJ-'],
  },
  { from: 'opened', event: 'RXJ+', act: (t) => t.rx(7, 9, Buffer.from([0x0b, 1, 0, 8, 0, 0, 0, 0])), to: 'opened' },
  { from: 'opened', event: 'RUC', act: (t) => t.rx(0x20, 9), to: 'opened', sent: ['CodeRej'] },
  { from: 'opened', event: 'stale RCA', act: (t) => t.rx(2, 1, t.lastReq().data), to: 'opened' },
];

describe('RFC 1661 state table', () => {
  for (const c of cases) {
    it(`${c.from} + ${c.event} → ${c.to}`, () => {
      const t = make();
      setups[c.from]?.(t);
      assert.equal(t.fsm.state, c.from, 'setup reached the starting state');
      t.reset();
      c.act(t);
      assert.equal(t.fsm.state, c.to);
      assert.deepEqual(
        t.sent.map((p) => codeName(p.code, 'lcp')),
        c.sent ?? [],
      );
      assert.deepEqual(t.hooks, c.hooks ?? []);
    });
  }
});

describe('restart timer and counters', () => {
  it('sends Max-Configure (10) requests with the same id, 3 s apart, then TO- → Stopped', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.clock.advance(27_000);
    assert.equal(t.sent.length, 10);
    assert.ok(t.sent.every((p) => p.code === 1 && p.id === 1));
    assert.deepEqual(t.hooks, ['started']);
    t.clock.advance(2_999);
    assert.equal(t.fsm.state, 'req-sent');
    t.clock.advance(1);
    assert.equal(t.fsm.state, 'stopped');
    assert.deepEqual(t.hooks, ['started', 'finished:TO-']);
    assert.equal(t.clock.pending, 0);
  });

  it('sends Max-Terminate (2) Terminate-Requests, then finishes', () => {
    const t = make();
    setups.opened?.(t);
    t.reset();
    t.fsm.close();
    t.clock.advance(3000);
    assert.deepEqual(
      t.sent.map((p) => p.code),
      [5, 5],
    );
    t.clock.advance(3000);
    assert.equal(t.fsm.state, 'closed');
    assert.deepEqual(t.hooks, ['down:Close', 'finished:TO-']);
    assert.equal(t.clock.pending, 0);
  });

  it('Terminate handshake: RTR in Opened acks, then Stopped after one restart period', () => {
    const t = make();
    setups.opened?.(t);
    t.reset();
    t.rx(5, 0x33);
    assert.deepEqual(t.sent, [{ code: 6, id: 0x33, data: Buffer.alloc(0) }]);
    t.clock.advance(3000);
    assert.equal(t.fsm.state, 'stopped');
    assert.deepEqual(t.hooks, ['down:RTR', 'finished:TO-']);
  });

  it('the timer runs only in Closing, Stopping, Req-Sent, Ack-Rcvd and Ack-Sent', () => {
    const t = make();
    setups.opened?.(t);
    assert.equal(t.clock.pending, 0);
    const s = make();
    setups['ack-sent']?.(s);
    assert.equal(s.clock.pending, 1);
  });
});

describe('Max-Failure', () => {
  it('turns our Naks into Rejects after 5 unanswered Naks, echoing the options exactly', () => {
    const t = make();
    setups['req-sent']?.(t);
    nakAll(t);
    t.reset();
    const offer = [opt(0x42, 1, 2, 3), opt(0x43)];
    for (let id = 1; id <= 6; id++) t.rx(1, id, offer);
    assert.deepEqual(
      t.sent.map((p) => p.code),
      [3, 3, 3, 3, 3, 4],
    );
    assert.deepEqual(t.sent[5]?.data, encodeOptions(offer));
    assert.deepEqual(t.policy.exhausted, [false, false, false, false, false, true]);
  });

  it('an Ack resets the count', () => {
    const t = make();
    setups['req-sent']?.(t);
    for (let id = 1; id <= 4; id++) {
      nakAll(t);
      t.rx(1, id, peerReq);
    }
    t.policy.verdict = () => ({ kind: 'ack' });
    t.rx(1, 5, peerReq);
    nakAll(t);
    for (let id = 6; id <= 10; id++) t.rx(1, id, peerReq);
    assert.deepEqual(t.policy.exhausted, [false, false, false, false, false, false, false, false, false, false]);
  });

  it('treats the 5th Nak in a row from the peer as a Reject, so we converge', () => {
    const t = make();
    setups['req-sent']?.(t);
    for (let i = 0; i < 5; i++) t.rx(3, t.lastReq().id, [opt(1, 0x05, 0xac)]);
    assert.deepEqual(t.policy.calls, ['nak:1', 'nak:1', 'nak:1', 'nak:1', 'rej:1']);
    assert.deepEqual(t.lastReq().data, Buffer.alloc(0));
  });
});

describe('identifiers and reply checks', () => {
  it('ignores an Ack, Nak or Reject whose id is not our outstanding request', () => {
    const t = make();
    setups['req-sent']?.(t);
    const req = t.lastReq();
    t.reset();
    t.rx(2, req.id + 1, req.data);
    t.rx(3, req.id + 1, [opt(1, 0x05, 0xac)]);
    t.rx(4, req.id - 1, req.data);
    assert.equal(t.fsm.state, 'req-sent');
    assert.deepEqual(t.sent, []);
    assert.deepEqual(t.policy.calls, []);
  });

  it('ignores a second reply to a request already answered (stale after a Nak)', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.rx(3, 1, [opt(1, 0x05, 0xac)]);
    assert.equal(t.lastReq().id, 2);
    t.rx(2, 1, Buffer.from([1, 4, 5, 0xdc]));
    assert.equal(t.fsm.state, 'req-sent');
    t.rx(2, 2, t.lastReq().data);
    assert.equal(t.fsm.state, 'ack-rcvd');
  });

  it('accepts an Ack to a retransmission that reuses the id', () => {
    const t = make();
    setups['ack-rcvd']?.(t);
    t.clock.advance(3000); // TO+ in Ack-Rcvd: scr/6 with the same id
    assert.equal(t.fsm.state, 'req-sent');
    t.rx(2, 1, t.lastReq().data);
    assert.equal(t.fsm.state, 'ack-rcvd');
  });

  it('ignores an Ack whose options differ from what we sent', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.rx(2, 1, [opt(1, 0x05, 0xdd)]);
    assert.equal(t.fsm.state, 'req-sent');
  });

  it('ignores a Reject naming options we never sent', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.rx(4, 1, [opt(9, 1)]);
    assert.equal(t.fsm.state, 'req-sent');
    assert.deepEqual(t.policy.calls, []);
  });

  it('Configure-Reject lists exactly the rejected options, as sent and in order', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.policy.verdict = (o) =>
      o.type === 1 ? { kind: 'ack' } : o.type === 3 ? { kind: 'nak', suggest: opt(3, 0xc0, 0x23) } : { kind: 'reject' };
    t.reset();
    const offer = [
      opt(1, 0x0f, 0xfb),
      opt(13, 6),
      opt(3, 0xc2, 0x27),
      opt(17, 0x06, 0x4e),
      opt(0xee),
      opt(19, 1, 0xaa, 0xbb),
    ];
    t.rx(1, 7, offer);
    assert.deepEqual(t.sent, [
      { code: 4, id: 7, data: encodeOptions([opt(13, 6), opt(17, 0x06, 0x4e), opt(0xee), opt(19, 1, 0xaa, 0xbb)]) },
    ]);
    t.reset();
    t.rx(1, 8, [opt(1, 0x0f, 0xfb), opt(3, 0xc2, 0x27)]);
    assert.deepEqual(t.sent, [{ code: 3, id: 8, data: encodeOptions([opt(3, 0xc0, 0x23)]) }]);
  });

  it('Configure-Ack echoes the request bytes exactly', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.reset();
    const raw = Buffer.from([1, 4, 0x0f, 0xfb, 0xee, 2]);
    t.rx(1, 0x99, raw);
    assert.deepEqual(t.sent, [{ code: 2, id: 0x99, data: raw }]);
  });

  it('Code-Reject carries the unknown packet, truncated to the peer MRU', () => {
    const t = make();
    setups.opened?.(t);
    t.reset();
    t.rx(0x30, 4, Buffer.alloc(40, 0xab));
    assert.equal(t.sent.length, 1);
    assert.equal(t.sent[0]?.code, 7);
    assert.equal(t.sent[0]?.data.length, 16); // peer MRU 20 minus the 4-byte header
    assert.deepEqual(t.sent[0]?.data.subarray(0, 4), Buffer.from([0x30, 4, 0, 44]));
  });

  it('halt() stops timers and silences everything', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.fsm.halt();
    assert.equal(t.clock.pending, 0);
    t.reset();
    t.rx(1, 1, peerReq);
    t.clock.advance(60_000);
    assert.deepEqual(t.sent, []);
  });

  it('drops malformed packets without an event', () => {
    const t = make();
    setups['req-sent']?.(t);
    t.reset();
    t.fsm.receive({ code: 1, id: 3, data: Buffer.from([1, 9, 0]) });
    assert.deepEqual(t.sent, []);
    assert.equal(t.fsm.state, 'req-sent');
  });
});
