// RFC 1661 §4.1 table, the rows a mid-session renegotiation walks: from Opened, a peer's new
// Configure-Request (RCR+ / RCR-) must give tld, scr and sca/scn, then the ordinary way back to
// Opened with tlu — and a renegotiation that the peer then abandons must end as the table says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/engine/clock.js';
import { phaseLogger, silentSink } from '../../../../main/engine/log.js';
import { Automaton } from '../../../../main/engine/ppp/automaton.js';
import type { State } from '../../../../main/engine/ppp/automaton.js';
import { encodeOptions } from '../../../../main/engine/ppp/options.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { codeName } from '../../../../main/engine/ppp/packet.js';
import type { Judgement, NegotiationPolicy } from '../../../../main/engine/ppp/policy.js';
import { opt } from './harness.js';

const MRU = opt(1, 0x05, 0xdc);
const CALLBACK = opt(13, 6);

/** Acks MRU, rejects everything else; always asks for MRU 1500. */
const policy: NegotiationPolicy = {
  buildRequest: () => [MRU],
  requestAcked: () => {},
  peerAccepted: () => {},
  judgeRequest: (options): Judgement => ({
    kind: 'verdicts',
    verdicts: options.map((o) => (o.type === 1 ? { kind: 'ack' } : { kind: 'reject' })),
  }),
  applyNak: () => 'ok',
  applyReject: () => 'ok',
};

function opened() {
  const clock = new ManualClock();
  const out: string[] = [];
  let lastReq: { id: number; data: Buffer } = { id: 0, data: Buffer.alloc(0) };
  const fsm = new Automaton({
    name: 'LCP',
    codes: 'lcp',
    policy,
    clock,
    log: phaseLogger(silentSink, 'lcp'),
    hooks: {
      send: (p) => {
        out.push(codeName(p.code, 'lcp'));
        if (p.code === 1) lastReq = { id: p.id, data: p.data };
      },
      up: () => out.push('tlu'),
      down: (c) => out.push(`tld:${c}`),
      started: () => out.push('tls'),
      finished: (c) => out.push(`tlf:${c}`),
    },
  });
  const rx = (code: number, id: number, data: Buffer) => fsm.receive({ code, id, data });
  fsm.open();
  fsm.up();
  rx(2, lastReq.id, lastReq.data);
  rx(1, 0x40, encodeOptions([MRU]));
  assert.equal(fsm.state, 'opened');
  out.length = 0;
  return { fsm, clock, out, rx, ack: () => rx(2, lastReq.id, lastReq.data) };
}

type Step = 'peer-req-ok' | 'peer-req-bad' | 'peer-ack' | 'timeout' | 'peer-term';

interface Row {
  readonly name: string;
  readonly steps: readonly Step[];
  /** Actions seen (packets we sent by code name; tlu/tld/tlf), in order. */
  readonly actions: readonly string[];
  readonly states: readonly State[];
}

const rows: Row[] = [
  {
    name: 'Opened + RCR+ → Ack-Sent (tld, scr, sca); + RCA → Opened (tlu)',
    steps: ['peer-req-ok', 'peer-ack'],
    actions: ['tld:RCR+', 'ConfReq', 'ConfAck', 'tlu'],
    states: ['ack-sent', 'opened'],
  },
  {
    name: 'Opened + RCA of our new request first: RCR+ → Ack-Sent, the peer repeats its request → still Ack-Sent, RCA → Opened',
    steps: ['peer-req-ok', 'peer-req-ok', 'peer-ack'],
    actions: ['tld:RCR+', 'ConfReq', 'ConfAck', 'ConfAck', 'tlu'],
    states: ['ack-sent', 'ack-sent', 'opened'],
  },
  {
    name: 'Opened + RCR- → Req-Sent (tld, scr, scj); + RCR+ → Ack-Sent; + RCA → Opened',
    steps: ['peer-req-bad', 'peer-req-ok', 'peer-ack'],
    actions: ['tld:RCR-', 'ConfReq', 'ConfRej', 'ConfAck', 'tlu'],
    states: ['req-sent', 'ack-sent', 'opened'],
  },
  {
    name: 'Opened + RCR+ then the peer goes quiet: TO+ resends our request, Max-Configure later TO- → Stopped (tlf)',
    steps: ['peer-req-ok', ...Array<Step>(10).fill('timeout')],
    actions: ['tld:RCR+', 'ConfReq', 'ConfAck', ...Array<string>(9).fill('ConfReq'), 'tlf:TO-'],
    states: ['ack-sent', ...Array<State>(9).fill('ack-sent'), 'stopped'],
  },
  {
    name: 'Opened + RCR+ then the peer terminates: Ack-Sent + RTR → Req-Sent (sta)',
    steps: ['peer-req-ok', 'peer-term'],
    actions: ['tld:RCR+', 'ConfReq', 'ConfAck', 'TermAck'],
    states: ['ack-sent', 'req-sent'],
  },
];

describe('LCP renegotiation from Opened (RFC 1661 §4.1)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const t = opened();
      const states: State[] = [];
      for (const step of row.steps) {
        switch (step) {
          case 'peer-req-ok':
            t.rx(1, 0x41, encodeOptions([MRU]));
            break;
          case 'peer-req-bad':
            t.rx(1, 0x42, encodeOptions([MRU, CALLBACK] as ConfigOption[]));
            break;
          case 'peer-ack':
            t.ack();
            break;
          case 'timeout':
            t.clock.advance(3000);
            break;
          case 'peer-term':
            t.rx(5, 0x43, Buffer.alloc(0));
            break;
        }
        states.push(t.fsm.state);
      }
      assert.deepEqual(t.out, row.actions);
      assert.deepEqual(states, row.states);
    });
  }
});
