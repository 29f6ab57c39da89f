import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthMethod } from '../../../../main/engine/config.js';
import type { SessionFailure } from '../../../../main/engine/failure.js';
import { phaseLogger, silentSink } from '../../../../main/engine/log.js';
import { AuthNegotiation } from '../../../../main/engine/ppp/lcp-auth.js';
import { LcpPolicy } from '../../../../main/engine/ppp/lcp.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import type { ControlPacket } from '../../../../main/engine/ppp/packet.js';
import { authChapMd5, authEap, authMschapv2, authPap, magic, mru, opt, scriptedRandom } from './harness.js';

function policy(
  authMethods: readonly AuthMethod[] = ['mschapv2'],
  random = scriptedRandom(['1a2b3c4d', '55667788', '0badf00d']),
) {
  const failures: SessionFailure[] = [];
  const sent: ControlPacket[] = [];
  const rejectedProtocols: number[] = [];
  const p = new LcpPolicy({
    mru: 1500,
    authMethods,
    random,
    log: phaseLogger(silentSink, 'lcp'),
    send: (x) => sent.push(x),
    protocolRejected: (x) => rejectedProtocols.push(x),
    echoRejected: () => {},
    fail: (f) => failures.push(f),
  });
  return { p, failures, sent, rejectedProtocols };
}

const judge = (p: LcpPolicy, options: ConfigOption[], id = 1, naksExhausted = false) =>
  p.judgeRequest(options, { id, naksExhausted });

describe('LCP policy: our request', () => {
  it('asks for config.mru and a random non-zero magic number', () => {
    const { p } = policy(['pap'], scriptedRandom(['00000000', '1a2b3c4d']));
    assert.deepEqual(p.buildRequest(), [mru(1500), magic(0x1a2b3c4d)]);
  });

  it("takes a Nak'd MRU, picks a new magic on a magic Nak, drops rejected options", () => {
    const { p } = policy();
    p.applyNak([mru(1452), magic(0x1a2b3c4d)]);
    assert.deepEqual(p.buildRequest(), [mru(1452), magic(0x55667788)]);
    p.applyReject([magic(0x55667788)]);
    assert.deepEqual(p.buildRequest(), [mru(1452)]);
    assert.equal(p.negotiated.magic, 0);
    p.applyReject([mru(1452)]);
    assert.deepEqual(p.buildRequest(), []);
  });

  it('records our MRU when acked, 1500 when MRU was not negotiated', () => {
    const { p } = policy();
    p.requestAcked([mru(1400), magic(1)]);
    assert.equal(p.negotiated.mru, 1400);
    p.requestAcked([magic(1)]);
    assert.equal(p.negotiated.mru, 1500);
  });
});

describe('LCP policy: judging the server', () => {
  const mruCases: [number, string][] = [
    [4091, 'ack'],
    [4095, 'ack'],
    [576, 'ack'],
    [1500, 'ack'],
    [4096, 'nak 4095'],
    [65535, 'nak 4095'],
    [575, 'nak 576'],
    [0, 'nak 576'],
  ];
  for (const [value, expected] of mruCases) {
    it(`peer MRU ${value} → ${expected}`, () => {
      const { p } = policy();
      const j = judge(p, [mru(value)]);
      assert.equal(j.kind, 'verdicts');
      const v = j.kind === 'verdicts' ? j.verdicts[0] : undefined;
      assert.equal(v?.kind === 'nak' ? `nak ${v.suggest.data.readUInt16BE(0)}` : v?.kind, expected);
    });
  }

  it('rejects PFC, ACFC, Callback, MRRU, Endpoint Discriminator, ACCM, unknown and malformed options', () => {
    const { p } = policy();
    const offer = [
      opt(7),
      opt(8),
      opt(13, 6),
      opt(17, 0x06, 0x4e),
      opt(19, 1, 2, 3),
      opt(2, 0, 0, 0, 0),
      opt(0x77, 1),
      opt(1, 5),
    ];
    const j = judge(p, offer);
    assert.deepEqual(
      j.kind === 'verdicts' && j.verdicts.map((v) => v.kind),
      offer.map(() => 'reject'),
    );
  });

  it('Naks a magic equal to ours with a different one, and zero always', () => {
    const { p } = policy();
    const ours = p.negotiated.magic;
    for (const m of [ours, 0]) {
      const j = judge(p, [magic(m)]);
      const v = j.kind === 'verdicts' ? j.verdicts[0] : undefined;
      assert.equal(v?.kind, 'nak');
      if (v?.kind === 'nak') {
        assert.notEqual(v.suggest.data.readUInt32BE(0), ours);
        assert.notEqual(v.suggest.data.readUInt32BE(0), 0);
      }
    }
    const j = judge(p, [magic(0xdeadbeef)]);
    assert.equal(j.kind === 'verdicts' && j.verdicts[0]?.kind, 'ack');
  });

  it('reports a looped-back link after our magic comes back three times', () => {
    const { p, failures } = policy();
    const ours = p.negotiated.magic;
    judge(p, [magic(ours)], 1);
    judge(p, [magic(ours)], 2);
    assert.equal(failures.length, 0);
    assert.deepEqual(judge(p, [magic(ours)], 3), { kind: 'abort' });
    assert.equal(failures[0]?.code, 'ppp-negotiation-failed');
    assert.match(failures[0]?.message ?? '', /looped back/);
  });

  it('remembers what the peer asked for when we Ack it', () => {
    const { p } = policy(['mschapv2', 'pap']);
    p.peerAccepted([mru(4091), authMschapv2(), magic(5)]);
    assert.deepEqual(p.negotiated, { mru: 1500, peerMru: 4091, authMethod: 'mschapv2', magic: p.negotiated.magic });
    p.peerAccepted([magic(5)]);
    assert.equal(p.negotiated.authMethod, null);
    assert.equal(p.negotiated.peerMru, 1500);
  });

  it('answers Echo-Request only when opened, with our magic and the same data', () => {
    const { p, sent } = policy();
    const echo = { kind: 'echo' as const, code: 9 as const, id: 7, magic: 0x1234, data: Buffer.from('abc') };
    p.handleCode(echo, false);
    assert.equal(sent.length, 0);
    p.handleCode(echo, true);
    const ours = p.negotiated.magic;
    assert.deepEqual(sent, [
      {
        code: 10,
        id: 7,
        data: Buffer.concat([
          Buffer.from([ours >>> 24, (ours >> 16) & 0xff, (ours >> 8) & 0xff, ours & 0xff]),
          Buffer.from('abc'),
        ]),
      },
    ]);
  });

  it('passes Protocol-Reject up only when opened; Identification is not Code-Rejected', () => {
    const { p, rejectedProtocols } = policy();
    const pr = { kind: 'protocol-reject' as const, id: 1, protocol: 0x8057, rejected: Buffer.alloc(0) };
    assert.equal(p.handleCode(pr, false), 'handled');
    assert.equal(p.handleCode(pr, true), 'handled');
    assert.deepEqual(rejectedProtocols, [0x8057]);
    assert.equal(p.handleCode({ kind: 'other', code: 12, id: 1, data: Buffer.alloc(4) }, true), 'handled');
    assert.equal(p.handleCode({ kind: 'other', code: 0x40, id: 1, data: Buffer.alloc(0) }, true), 'unknown');
  });
});

describe('authentication method choice', () => {
  type Step = [ConfigOption, 'ack' | string];
  const flows: { name: string; allowed: AuthMethod[]; steps: Step[]; refused?: RegExp }[] = [
    {
      name: 'RRAS: EAP not allowed → Nak toward MS-CHAPv2, then Ack it',
      allowed: ['mschapv2'],
      steps: [
        [authEap(), 'mschapv2'],
        [authMschapv2(), 'ack'],
      ],
    },
    { name: 'EAP allowed → Ack', allowed: ['eap-mschapv2', 'mschapv2'], steps: [[authEap(), 'ack']] },
    { name: 'CHAP-MD5 allowed', allowed: ['chap'], steps: [[authChapMd5(), 'ack']] },
    {
      name: 'SoftEther walks EAP → MS-CHAPv2 → PAP whatever we suggest',
      allowed: ['pap'],
      steps: [
        [authEap(), 'pap'],
        [authMschapv2(), 'pap'],
        [authPap(), 'ack'],
      ],
    },
    {
      name: 'suggests each allowed method once, most preferred first',
      allowed: ['mschapv2', 'chap', 'pap'],
      steps: [
        [authEap(), 'mschapv2'],
        [opt(3, 0xc2, 0x23, 0x80), 'chap'],
        [opt(3, 0xc0, 0x25), 'pap'],
      ],
    },
    {
      name: 'PAP only, profile allows MS-CHAPv2 → refused on the repeat',
      allowed: ['mschapv2'],
      steps: [
        [authPap(), 'mschapv2'],
        [authPap(), 'refused'],
      ],
      refused:
        /^The server offers only PAP; this profile allows MS-CHAPv2 — allow PAP in the profile or ask the administrator\.$/,
    },
    {
      name: 'SoftEther cycle with only CHAP allowed → refused naming all three',
      allowed: ['chap'],
      steps: [
        [authEap(), 'chap'],
        [authMschapv2(), 'chap'],
        [authPap(), 'chap'],
        [authEap(), 'refused'],
      ],
      refused:
        /offers only EAP, MS-CHAPv2 or PAP; this profile allows CHAP — allow EAP-MSCHAPv2, MS-CHAPv2 or PAP in the profile/,
    },
    {
      name: 'only unsupported methods',
      allowed: ['pap'],
      steps: [
        [opt(3, 0xc2, 0x23, 0x80), 'pap'],
        [opt(3, 0xc2, 0x23, 0x80), 'refused'],
      ],
      refused: /offers only MS-CHAP \(version 1\), which Causeway does not support/,
    },
  ];
  for (const f of flows) {
    it(f.name, () => {
      const a = new AuthNegotiation(f.allowed);
      f.steps.forEach(([offer, expected], i) => {
        const j = a.judge(offer, i + 1, false);
        if (j.kind === 'ack') assert.equal('ack', expected, `step ${i}`);
        else if (j.kind === 'refused') {
          assert.equal('refused', expected, `step ${i}`);
          assert.match(j.refusal.message, f.refused ?? /./);
        } else {
          const suggestion = new AuthNegotiation([expected as AuthMethod]).judge(j.suggest, 99, false);
          assert.equal(
            suggestion.kind,
            'ack',
            `step ${i}: suggested ${j.suggest.data.toString('hex')}, expected ${expected}`,
          );
        }
      });
    });
  }

  it('a retransmitted request (same id) gets the same Nak and does not count as a repeat', () => {
    const a = new AuthNegotiation(['mschapv2']);
    const first = a.judge(authPap(), 1, false);
    const again = a.judge(authPap(), 1, false);
    assert.deepEqual(first, again);
    assert.equal(a.judge(authPap(), 2, false).kind, 'refused');
  });

  it('gives up once Naks are exhausted (never turns the auth Nak into a Reject)', () => {
    const { p, failures } = policy(['mschapv2']);
    assert.deepEqual(judge(p, [authEap()], 1, true), { kind: 'abort' });
    assert.equal(failures[0]?.code, 'auth-method-refused');
    assert.equal(failures[0]?.phase, 'lcp');
  });

  it('disagreement is remembered until the server offers something we take', () => {
    const a = new AuthNegotiation(['mschapv2']);
    a.judge(authEap(), 1, false);
    assert.equal(a.disagreed, true);
    a.judge(authMschapv2(), 2, false);
    assert.equal(a.disagreed, false);
  });
});
