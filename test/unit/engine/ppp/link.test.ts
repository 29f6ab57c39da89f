import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { PPP_IPV4, PPP_IPV6 } from '../../../../main/engine/ppp/protocols.js';
import { encodeOptions } from '../../../../main/engine/ppp/options.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { encodeControl } from '../../../../main/engine/ppp/packet.js';
import {
  Harness,
  IPCP,
  IPV6CP,
  LCP,
  authEap,
  authMschapv2,
  authPap,
  controlFrame,
  hexOpt,
  ipOpt,
  magic,
  mru,
  opt,
  optionsOf,
  scriptedRandom,
} from './harness.js';
import type { Sent } from './harness.js';

const CONF_REQ = 1;
const CONF_ACK = 2;
const CONF_NAK = 3;
const CONF_REJ = 4;
const TERM_REQ = 5;
const TERM_ACK = 6;
const PROT_REJ = 8;
const ECHO_REQ = 9;
const ECHO_REP = 10;

const ipv4Packet = Buffer.from('4500001c000000004001f96e0a0000010a000007080000000000000000000000', 'hex');
const ipv6Packet = Buffer.concat([Buffer.from('60000000000c3a40', 'hex'), Buffer.alloc(32), Buffer.alloc(12)]);

function expectSent(s: Sent, protocol: number, code: number, options?: readonly ConfigOption[]): void {
  assert.equal(s.protocol, protocol, s.trace);
  assert.equal(s.code, code, s.trace);
  if (options) assert.deepEqual(s.data, encodeOptions(options), s.trace);
}

/** LCP up with a peer that asks only for `peerOptions`; returns our acked request. */
function lcpUp(h: Harness, peerOptions: ConfigOption[] = [magic(0xcafe0001)]): Sent {
  h.link.start();
  const req = h.one(LCP);
  h.feed(LCP, CONF_REQ, 0x10, peerOptions);
  expectSent(h.one(LCP), LCP, CONF_ACK, peerOptions);
  h.ackLast(req);
  return req;
}

/** From an open LCP with no authentication to IPv4 up at 10.0.0.7 (peer 10.0.0.1, DNS 10.0.0.53). */
function ipv4Up(h: Harness): void {
  const req = h.take().find((s) => s.protocol === IPCP && s.code === CONF_REQ);
  assert.ok(req, 'IPCP request sent');
  h.feed(IPCP, CONF_REQ, 1, [ipOpt(3, '10.0.0.1')]);
  h.feed(IPCP, CONF_NAK, req.id, [ipOpt(3, '10.0.0.7'), ipOpt(129, '10.0.0.53'), ipOpt(131, '10.0.0.54')]);
  const again = h.take().find((s) => s.protocol === IPCP && s.code === CONF_REQ);
  assert.ok(again);
  h.ackLast(again);
}

describe('PppLink against an RRAS-like server', () => {
  it('rejects Callback/MRRU/Endpoint exactly, Naks EAP toward MS-CHAPv2, accepts MRU 4091, comes up', () => {
    const h = new Harness(
      { authMethods: ['mschapv2'], ipv6: true },
      { random: scriptedRandom(['1a2b3c4d', '021a2bfffe3c4d5e']) },
    );
    h.link.start();
    const ours = h.one(LCP);
    expectSent(ours, LCP, CONF_REQ, [mru(1500), magic(0x1a2b3c4d)]);
    assert.equal(ours.trace, 'LCP ConfReq id=0x1 <mru 1500> <magic 0x1a2b3c4d>');

    const callback = opt(13, 6);
    const mrru = opt(17, 0x06, 0x4e);
    const endpoint = hexOpt(19, '0113fc45a89c2f4e4c8a1e2b3c4d5e6f70');
    h.feed(LCP, CONF_REQ, 1, [mru(4091), authEap(), magic(0x55aa55aa), opt(7), opt(8), callback, mrru, endpoint]);
    expectSent(h.one(LCP), LCP, CONF_REJ, [opt(7), opt(8), callback, mrru, endpoint]);

    h.ackLast(ours);
    h.feed(LCP, CONF_REQ, 2, [mru(4091), authEap(), magic(0x55aa55aa)]);
    const nak = h.one(LCP);
    expectSent(nak, LCP, CONF_NAK, [authMschapv2()]);
    assert.equal(nak.trace, 'LCP ConfNak id=0x2 <auth chap MS-v2>');

    h.feed(LCP, CONF_REQ, 3, [mru(4091), authMschapv2(), magic(0x55aa55aa)]);
    expectSent(h.one(LCP), LCP, CONF_ACK, [mru(4091), authMschapv2(), magic(0x55aa55aa)]);
    assert.deepEqual(h.event('lcp-up'), { type: 'lcp-up', mru: 1500, peerMru: 4091, authMethod: 'mschapv2' });

    const run = h.auth.runs[0];
    assert.equal(run?.method, 'mschapv2');
    assert.equal(run?.started, true);
    h.link.receive(encodeFrame(0xc223, encodeControl({ code: 1, id: 9, data: Buffer.from('challenge') })));
    assert.equal(h.one().protocol, 0xc223);
    h.link.receive(encodeFrame(0xc223, encodeControl({ code: 3, id: 9, data: Buffer.from('S=...') })));

    // 'authenticated' comes before the first IPCP packet: the session sends CALL_CONNECTED in between.
    const authAt = h.timeline.findIndex((t) => t.kind === 'event' && t.event.type === 'authenticated');
    const ipcpAt = h.timeline.findIndex((t) => t.kind === 'sent' && t.sent.protocol === IPCP);
    assert.ok(authAt >= 0 && ipcpAt > authAt);
    assert.deepEqual(h.event('authenticated'), { type: 'authenticated', hlak: Buffer.alloc(32, 0x11) });
    assert.equal(run?.stopped, false, 'MS-CHAPv2 keeps answering re-challenges');

    const sent = h.take();
    const ipcpReq = sent.find((s) => s.protocol === IPCP);
    const v6Req = sent.find((s) => s.protocol === IPV6CP);
    assert.ok(ipcpReq && v6Req);
    assert.equal(ipcpReq.trace, 'IPCP ConfReq id=0x1 <addr 0.0.0.0> <ms-dns1 0.0.0.0> <ms-dns2 0.0.0.0>');
    assert.equal(v6Req.trace, 'IPV6CP ConfReq id=0x1 <addr fe80::21a:2bff:fe3c:4d5e>');

    h.feed(IPCP, CONF_REQ, 1, [ipOpt(3, '10.0.0.1')]);
    expectSent(h.one(), IPCP, CONF_ACK);
    h.feed(IPCP, CONF_NAK, 1, [ipOpt(3, '10.0.0.7'), ipOpt(129, '10.0.0.53'), ipOpt(131, '10.0.0.54')]);
    const ipcp2 = h.one();
    expectSent(ipcp2, IPCP, CONF_REQ, [ipOpt(3, '10.0.0.7'), ipOpt(129, '10.0.0.53'), ipOpt(131, '10.0.0.54')]);
    h.ackLast(ipcp2);
    assert.deepEqual(h.event('ipv4-up'), {
      type: 'ipv4-up',
      local: '10.0.0.7',
      peer: '10.0.0.1',
      dns: ['10.0.0.53', '10.0.0.54'],
    });

    h.feed(IPV6CP, CONF_REQ, 1, [hexOpt(1, '0000000000000001')]);
    expectSent(h.one(), IPV6CP, CONF_ACK);
    h.ackLast(v6Req);
    assert.deepEqual(h.event('ipv6-up'), {
      type: 'ipv6-up',
      localInterfaceId: '21a:2bff:fe3c:4d5e',
      peerInterfaceId: '0:0:0:1',
    });

    assert.equal(h.carriesIp(PPP_IPV4, ipv4Packet), true);
    assert.equal(h.carriesIp(PPP_IPV6, ipv6Packet), true);
    h.link.receive(encodeFrame(0x0021, ipv4Packet));
    h.link.receive(encodeFrame(0x0057, ipv6Packet));
    const packets = h.events.filter((e) => e.type === 'ip-packet');
    assert.equal(packets.length, 4);
    assert.equal(h.event('failed'), undefined);
  });
});

describe('PppLink against an accel-ppp-like server', () => {
  it('takes MRU 1452, loses IPv6CP to Protocol-Reject and DNS to Configure-Reject, and still brings IPv4 up', () => {
    const h = new Harness({ authMethods: ['mschapv2', 'pap'], ipv6: true });
    h.link.start();
    const ours = h.one(LCP);
    assert.deepEqual(
      optionsOf(ours).map((o) => o.type),
      [1, 5],
      'no pcomp/accomp in our request',
    );
    h.feed(LCP, CONF_REQ, 1, [authPap(), mru(1452), magic(0x01020304)]);
    // The profile prefers MS-CHAPv2: we suggest it once; accel-ppp configured for PAP only insists.
    const nak = h.one(LCP);
    expectSent(nak, LCP, CONF_NAK);
    assert.deepEqual(
      optionsOf(nak).map((o) => [o.type, ...o.data]),
      [[3, 0xc2, 0x23, 0x81]],
    );
    h.feed(LCP, CONF_REQ, 2, [authPap(), mru(1452), magic(0x01020304)]);
    expectSent(h.one(LCP), LCP, CONF_ACK);
    h.feed(LCP, CONF_NAK, ours.id, [mru(1452)]);
    const ours2 = h.one(LCP);
    assert.deepEqual(optionsOf(ours2)[0], mru(1452));
    assert.notEqual(ours2.id, ours.id);
    h.ackLast(ours2);
    assert.deepEqual(h.event('lcp-up'), { type: 'lcp-up', mru: 1452, peerMru: 1452, authMethod: 'pap' });

    const papReq = h.one();
    assert.equal(papReq.protocol, 0xc023);
    assert.equal(papReq.trace, 'PAP AuthReq id=0x1 len=12');
    h.link.receive(encodeFrame(0xc023, Buffer.from([2, 1, 0, 5, 0])));
    assert.deepEqual(h.event('authenticated'), { type: 'authenticated', hlak: Buffer.alloc(32) });

    const sent = h.take();
    const ipcpReq = sent.find((s) => s.protocol === IPCP);
    const v6Req = sent.find((s) => s.protocol === IPV6CP);
    assert.ok(ipcpReq && v6Req);
    h.feed(LCP, PROT_REJ, 7, Buffer.concat([Buffer.from([0x80, 0x57]), v6Req.info]));
    assert.deepEqual(h.event('ipv6-unavailable'), {
      type: 'ipv6-unavailable',
      reason: 'the server does not offer IPv6 (it rejected IPv6CP)',
    });

    h.feed(IPCP, CONF_REJ, ipcpReq.id, [ipOpt(129, '0.0.0.0'), ipOpt(131, '0.0.0.0')]);
    const r2 = h.one(IPCP);
    expectSent(r2, IPCP, CONF_REQ, [ipOpt(3, '0.0.0.0')]);
    h.feed(IPCP, CONF_NAK, r2.id, [ipOpt(3, '10.1.1.5')]);
    const r3 = h.one(IPCP);
    expectSent(r3, IPCP, CONF_REQ, [ipOpt(3, '10.1.1.5')]);
    h.ackLast(r3);
    h.feed(IPCP, CONF_REQ, 1, [ipOpt(3, '10.1.1.1')]);
    assert.deepEqual(h.event('ipv4-up'), { type: 'ipv4-up', local: '10.1.1.5', peer: '10.1.1.1', dns: [] });

    // IPv6CP stays quiet from now on, and IPv6 packets are not carried.
    h.take();
    h.clock.advance(60_000);
    assert.deepEqual(
      h.take().filter((s) => s.protocol === IPV6CP),
      [],
    );
    assert.equal(h.carriesIp(PPP_IPV6, ipv6Packet), false);
    assert.equal(h.event('failed'), undefined);
  });
});

describe('PppLink against a SoftEther-like server', () => {
  it('survives a rejected magic, an MRU Nak to 1500, and the EAP → MS-CHAPv2 → PAP walk', () => {
    const h = new Harness({ authMethods: ['pap'], mru: 1600 });
    h.link.start();
    // SoftEther's early Echo-Request, before LCP is open: silently discarded.
    h.feed(LCP, ECHO_REQ, 1, Buffer.from([0, 0, 0, 0]));
    const r1 = h.one(LCP);
    expectSent(r1, LCP, CONF_REQ);
    h.feed(LCP, CONF_REJ, r1.id, [optionsOf(r1)[1] as ConfigOption]);
    const r2 = h.one(LCP);
    expectSent(r2, LCP, CONF_REQ, [mru(1600)]);
    h.feed(LCP, CONF_NAK, r2.id, [mru(1500)]);
    const r3 = h.one(LCP);
    expectSent(r3, LCP, CONF_REQ, [mru(1500)]);
    h.ackLast(r3);

    h.feed(LCP, CONF_REQ, 1, [authEap()]);
    expectSent(h.one(LCP), LCP, CONF_NAK, [authPap()]);
    h.feed(LCP, CONF_REQ, 2, [authMschapv2()]);
    expectSent(h.one(LCP), LCP, CONF_NAK, [authPap()]);
    h.feed(LCP, CONF_REQ, 3, [authPap()]);
    expectSent(h.one(LCP), LCP, CONF_ACK, [authPap()]);
    assert.deepEqual(h.event('lcp-up'), { type: 'lcp-up', mru: 1500, peerMru: 1500, authMethod: 'pap' });
    h.take();

    // Echo-Request once open: answered with magic 0, since Magic-Number was rejected.
    h.feed(LCP, ECHO_REQ, 0x42, Buffer.from([0, 0, 0, 0, 1, 2]));
    const rep = h.one(LCP);
    assert.equal(rep.code, ECHO_REP);
    assert.equal(rep.id, 0x42);
    assert.deepEqual(rep.data, Buffer.from([0, 0, 0, 0, 1, 2]));
  });
});

describe('authentication method refused', () => {
  it('fails with a message naming what the server offers and what the profile allows', () => {
    const h = new Harness({ authMethods: ['mschapv2'] });
    h.link.start();
    h.take();
    h.feed(LCP, CONF_REQ, 1, [authPap()]);
    expectSent(h.one(LCP), LCP, CONF_NAK, [authMschapv2()]);
    h.feed(LCP, CONF_REQ, 2, [authPap()]);
    assert.deepEqual(h.take(), [], 'nothing answers the refused request');
    const failed = h.event('failed');
    assert.equal(failed?.failure.code, 'auth-method-refused');
    assert.equal(failed?.failure.phase, 'lcp');
    assert.equal(
      failed?.failure.message,
      'The server offers only PAP; this profile allows MS-CHAPv2 — allow PAP in the profile or ask the administrator.',
    );
    assert.equal(h.events.length, 1);
    assert.equal(h.clock.pending, 0);
  });

  it('reads a Terminate-Request after our auth Nak as a refusal too', () => {
    const h = new Harness({ authMethods: ['mschapv2'] });
    h.link.start();
    h.take();
    h.feed(LCP, CONF_REQ, 1, [authEap()]);
    h.take();
    h.feed(LCP, TERM_REQ, 2);
    expectSent(h.one(LCP), LCP, TERM_ACK);
    assert.equal(h.event('failed')?.failure.code, 'auth-method-refused');
    assert.match(
      h.event('failed')?.failure.message ?? '',
      /offers only EAP; this profile allows MS-CHAPv2 — allow EAP-MSCHAPv2/,
    );
  });
});

describe('loopback', () => {
  it('detects a looped-back link from our own magic number coming back', () => {
    const queue: Buffer[] = [];
    const loop = new Harness({}, { sendHook: (f) => queue.push(f) });
    loop.link.start();
    for (let i = 0; i < 100 && queue.length > 0 && !loop.event('failed'); i++)
      loop.link.receive(queue.shift() as Buffer);
    const failed = loop.event('failed');
    assert.equal(failed?.failure.code, 'ppp-negotiation-failed');
    assert.match(failed?.failure.message ?? '', /looped back/);
    assert.equal(loop.clock.pending, 0);
    assert.equal(loop.events.length, 1);
  });
});

describe('LCP echo and dead-peer detection', () => {
  it('answers Echo-Request with our magic and the same data', () => {
    const h = new Harness({}, { random: scriptedRandom(['1a2b3c4d']) });
    lcpUp(h);
    h.take();
    h.feed(LCP, ECHO_REQ, 7, Buffer.from([0xca, 0xfe, 0, 1, 0x61, 0x62]));
    const rep = h.one(LCP);
    assert.equal(rep.trace, 'LCP EchoRep id=0x7 magic=0x1a2b3c4d "ab"');
  });

  it('fails with dead-peer within two intervals of silence, after unanswered echoes', () => {
    const h = new Harness({ echoIntervalMs: 10_000 }, { random: scriptedRandom(['1a2b3c4d']) });
    lcpUp(h);
    ipv4Up(h);
    assert.ok(h.event('ipv4-up'));
    const lastHeard = h.clock.now();
    let failedAt: number | undefined;
    for (let t = 0; t < 60 && failedAt === undefined; t++) {
      h.clock.advance(1000);
      if (h.event('failed')) failedAt = h.clock.now();
    }
    assert.ok(failedAt !== undefined);
    assert.ok(failedAt - lastHeard <= 20_000, `${failedAt - lastHeard} ms`);
    const failed = h.event('failed');
    assert.equal(failed?.failure.code, 'dead-peer');
    assert.equal(failed?.failure.phase, 'connected');
    const echoes = h.allSent.filter((s) => s.protocol === LCP && s.code === ECHO_REQ);
    assert.equal(echoes.length, 2);
    assert.equal(echoes[0]?.trace.startsWith('LCP EchoReq'), true);
    assert.equal(h.clock.pending, 0);
  });

  it('stays up while the server answers', () => {
    const h = new Harness({ echoIntervalMs: 10_000 });
    lcpUp(h);
    ipv4Up(h);
    for (let t = 0; t < 120; t++) {
      h.clock.advance(1000);
      for (const s of h.take())
        if (s.protocol === LCP && s.code === ECHO_REQ) h.feed(LCP, ECHO_REP, s.id, Buffer.from([0, 0, 0, 1]));
    }
    assert.equal(h.event('failed'), undefined);
  });
});

describe('demultiplexing', () => {
  it('Protocol-Rejects CCP and unknown protocols once LCP is open, and drops them before', () => {
    const h = new Harness({ ipv6: false });
    const ccp = controlFrame(0x80fd, CONF_REQ, 1, [opt(18, 1, 0, 0, 0x40)]);
    h.link.start();
    h.take();
    h.link.receive(ccp);
    assert.deepEqual(h.take(), []);
    h.feed(LCP, CONF_REQ, 1, [magic(5)]);
    h.ackLast(h.allSent[0] as Sent);
    h.take();
    h.link.receive(ccp);
    const pr = h.one(LCP);
    assert.equal(pr.trace, 'LCP ProtRej id=0x2 proto=CCP');
    assert.deepEqual(pr.data, Buffer.concat([Buffer.from([0x80, 0xfd]), ccp.subarray(4)]));
    h.link.receive(encodeFrame(0x4021, Buffer.from([1, 2, 3])));
    assert.deepEqual(h.one(LCP).data, Buffer.from([0x40, 0x21, 1, 2, 3]));
    // IPv6CP with IPv6 off is an unknown protocol to us.
    h.link.receive(controlFrame(IPV6CP, CONF_REQ, 1, [hexOpt(1, '0000000000000001')]));
    assert.deepEqual(h.one(LCP).data.subarray(0, 2), Buffer.from([0x80, 0x57]));
  });

  it('truncates a Protocol-Reject to the peer MRU', () => {
    const h = new Harness();
    lcpUp(h, [mru(600), magic(9)]);
    h.take();
    h.link.receive(encodeFrame(0x80fd, Buffer.alloc(1000, 1)));
    const pr = h.one(LCP);
    assert.equal(pr.info.length, 600);
  });

  it('answers at most 4 frames of one unknown protocol per second, so a flood is not reflected', () => {
    const h = new Harness();
    lcpUp(h);
    h.take();
    const frame = encodeFrame(0x4021, Buffer.from([1, 2, 3]));
    for (let i = 0; i < 1000; i++) h.link.receive(frame);
    assert.equal(h.take().length, 4);
    // Another protocol has its own budget; a conforming peer that stopped after one reject loses nothing.
    h.link.receive(encodeFrame(0x80fd, Buffer.from([1, 1, 0, 4])));
    assert.equal(h.take().length, 1);
    h.clock.advance(999);
    h.link.receive(frame);
    assert.deepEqual(h.take(), []);
    h.clock.advance(1);
    h.link.receive(frame);
    assert.equal(h.take().length, 1);
  });

  it('drops frames without FF 03, with a debug line', () => {
    const h = new Harness();
    lcpUp(h);
    h.take();
    h.link.receive(Buffer.from([0xc0, 0x21, 9, 1, 0, 8, 0, 0, 0, 0]));
    assert.deepEqual(h.take(), []);
    assert.ok(h.logs.some((l) => l.level === 'debug' && /dropped: malformed PPP frame: address/.test(l.message)));
  });

  it('drops IP packets until the NCP is open, and auth packets that are not expected', () => {
    const h = new Harness();
    lcpUp(h);
    h.link.receive(encodeFrame(0x0021, ipv4Packet));
    h.link.receive(encodeFrame(0xc023, Buffer.from([2, 1, 0, 5, 0])));
    assert.equal(h.events.filter((e) => e.type === 'ip-packet').length, 0);
    assert.equal(h.carriesIp(PPP_IPV4, ipv4Packet), false);
  });

  it('logs every control packet sent and received in trace form at debug level', () => {
    const h = new Harness({}, { random: scriptedRandom(['1a2b3c4d']) });
    lcpUp(h);
    const lines = h.logs.filter((l) => l.level === 'debug').map((l) => l.message);
    assert.ok(lines.includes('send [LCP ConfReq id=0x1 <mru 1500> <magic 0x1a2b3c4d>]'));
    assert.ok(lines.includes('rcvd [LCP ConfReq id=0x10 <magic 0xcafe0001>]'));
    assert.ok(lines.includes('send [LCP ConfAck id=0x10 <magic 0xcafe0001>]'));
    assert.ok(h.logs.every((l) => !l.message.includes('secret-password')));
  });
});

describe('IPv4 never waits for IPv6', () => {
  it('reports ipv4-up while IPv6CP is still unanswered, and ipv6-unavailable after its timeout', () => {
    const h = new Harness({ ipv6: true });
    lcpUp(h);
    ipv4Up(h);
    assert.ok(h.event('ipv4-up'));
    assert.equal(h.event('ipv6-unavailable'), undefined);
    h.clock.advance(30_000);
    assert.deepEqual(h.event('ipv6-unavailable'), {
      type: 'ipv6-unavailable',
      reason: 'the server did not answer IPv6 negotiation (IPv6CP)',
    });
    assert.equal(h.event('failed'), undefined);
    assert.equal(h.carriesIp(PPP_IPV4, ipv4Packet), true);
  });
});

describe('ending', () => {
  it('peer Terminate-Request → Terminate-Ack and failure peer-disconnect; nothing after', () => {
    const h = new Harness();
    lcpUp(h);
    ipv4Up(h);
    h.take();
    h.feed(LCP, TERM_REQ, 0x21, Buffer.from('bye'));
    const ack = h.one(LCP);
    assert.equal(ack.code, TERM_ACK);
    assert.equal(ack.id, 0x21);
    const failed = h.event('failed');
    assert.equal(failed?.failure.code, 'peer-disconnect');
    assert.equal(failed?.failure.phase, 'connected');
    const count = h.events.length;
    h.link.receive(encodeFrame(0x0021, ipv4Packet));
    h.feed(LCP, ECHO_REQ, 1, Buffer.alloc(4));
    h.clock.advance(60_000);
    h.link.close();
    assert.equal(h.events.length, count);
    assert.deepEqual(h.take(), []);
    assert.equal(h.clock.pending, 0);
  });

  it('close(): Terminate-Request, then closed on the Ack', () => {
    const h = new Harness();
    lcpUp(h);
    ipv4Up(h);
    h.take();
    h.link.close();
    const tr = h.one(LCP);
    assert.equal(tr.code, TERM_REQ);
    assert.equal(h.carriesIp(PPP_IPV4, ipv4Packet), false);
    h.feed(LCP, TERM_ACK, tr.id);
    assert.deepEqual(h.events.at(-1), { type: 'closed' });
    assert.equal(h.clock.pending, 0);
  });

  it('close(): closed after Max-Terminate without an Ack', () => {
    const h = new Harness();
    lcpUp(h);
    h.take();
    h.link.close();
    h.clock.advance(5_999);
    assert.equal(h.event('closed'), undefined);
    h.clock.advance(1);
    assert.deepEqual(
      h.take().map((s) => s.code),
      [TERM_REQ, TERM_REQ],
    );
    assert.deepEqual(h.events.at(-1), { type: 'closed' });
  });

  it('close() before start() closes at once; stop() reports nothing', () => {
    const a = new Harness();
    a.link.close();
    assert.deepEqual(a.events, [{ type: 'closed' }]);
    const b = new Harness();
    lcpUp(b);
    const n = b.events.length;
    b.link.stop();
    b.clock.advance(60_000);
    assert.equal(b.events.length, n);
    assert.equal(b.clock.pending, 0);
  });

  it('an LCP negotiation timeout fails with negotiation-timeout', () => {
    const h = new Harness();
    h.link.start();
    h.clock.advance(30_000);
    assert.equal(h.allSent.length, 10);
    assert.equal(h.event('failed')?.failure.code, 'negotiation-timeout');
    assert.equal(h.event('failed')?.failure.phase, 'lcp');
  });

  it("an authentication failure ends the link with the authenticator's failure", () => {
    const h = new Harness({ authMethods: ['pap'] });
    lcpUp(h, [authPap(), magic(3)]);
    h.link.receive(encodeFrame(0xc023, Buffer.from([3, 1, 0, 5, 0])));
    assert.equal(h.event('failed')?.failure.code, 'auth-failed');
    assert.equal(h.auth.runs[0]?.stopped, true);
    assert.equal(h.event('authenticated'), undefined);
  });

  it('the server not assigning an IPv4 address is a failure', () => {
    const h = new Harness();
    lcpUp(h);
    const req = h.take().find((s) => s.protocol === IPCP);
    assert.ok(req);
    h.ackLast(req);
    h.feed(IPCP, CONF_REQ, 1, [ipOpt(3, '10.0.0.1')]);
    assert.equal(h.event('failed')?.failure.phase, 'ipcp');
    assert.match(h.event('failed')?.failure.message ?? '', /did not assign an IPv4 address/);
  });

  it('a server rejecting IPCP fails the link', () => {
    const h = new Harness();
    lcpUp(h);
    h.feed(LCP, PROT_REJ, 3, Buffer.from([0x80, 0x21, 1, 1, 0, 4]));
    assert.equal(h.event('failed')?.failure.code, 'ppp-negotiation-failed');
  });

  it('a listener may stop the link from inside an event', () => {
    const h = new Harness({}, { eventHook: (ev, link) => ev.type === 'authenticated' && link.stop() });
    lcpUp(h);
    assert.ok(h.event('authenticated'));
    assert.equal(h.allSent.filter((s) => s.protocol === IPCP).length, 0);
    assert.equal(h.clock.pending, 0);
  });
});

describe('PppLink authentication outcomes the server only implies', () => {
  it('a Terminate-Request during authentication is a failed login (SoftEther answers a wrong PAP password so)', () => {
    const h = new Harness({ authMethods: ['pap'] });
    lcpUp(h, [authPap()]);
    h.take();
    h.feed(LCP, TERM_REQ, 9, Buffer.alloc(0));
    const failed = h.event('failed');
    assert.ok(failed && failed.type === 'failed');
    assert.equal(failed.failure.code, 'auth-failed');
    assert.equal(failed.failure.phase, 'auth');
    assert.match(failed.failure.message, /password/);
  });

  it("prefers the profile order: EAP offered first is Nak'd toward MS-CHAPv2, which is then accepted", () => {
    const h = new Harness({ authMethods: ['mschapv2', 'eap-mschapv2'] });
    h.link.start();
    h.one(LCP);
    h.feed(LCP, CONF_REQ, 1, [authEap()]);
    expectSent(h.one(LCP), LCP, CONF_NAK, [authMschapv2()]);
    h.feed(LCP, CONF_REQ, 2, [authMschapv2()]);
    expectSent(h.one(LCP), LCP, CONF_ACK, [authMschapv2()]);
  });

  it('accepts a less preferred allowed method when the server insists on it', () => {
    const h = new Harness({ authMethods: ['mschapv2', 'eap-mschapv2'] });
    h.link.start();
    h.one(LCP);
    h.feed(LCP, CONF_REQ, 1, [authEap()]);
    expectSent(h.one(LCP), LCP, CONF_NAK, [authMschapv2()]);
    h.feed(LCP, CONF_REQ, 2, [authEap()]);
    expectSent(h.one(LCP), LCP, CONF_ACK, [authEap()]);
  });
});

describe('PppLink CHAP re-challenges', () => {
  it('keeps a CHAP authenticator answering in the network phase; PAP stops at success', () => {
    const h = new Harness({ authMethods: ['mschapv2'] });
    lcpUp(h, [authMschapv2()]);
    h.take();
    h.link.receive(encodeFrame(0xc223, encodeControl({ code: 1, id: 1, data: Buffer.from('challenge') })));
    h.link.receive(encodeFrame(0xc223, encodeControl({ code: 3, id: 1, data: Buffer.from('S=...') })));
    assert.ok(h.event('authenticated'));
    ipv4Up(h);
    h.take();
    // accel-ppp with chap-interval: a new challenge long after the link came up.
    h.link.receive(encodeFrame(0xc223, encodeControl({ code: 1, id: 2, data: Buffer.from('again') })));
    const answer = h.one();
    assert.equal(answer.protocol, 0xc223);
    assert.equal(answer.code, 2);
    const run = h.auth.runs[0];
    assert.equal(run?.stopped, false);
    h.link.stop();
    assert.equal(run?.stopped, true, 'stopped with the link');

    const p = new Harness({ authMethods: ['pap'] });
    lcpUp(p, [authPap()]);
    p.take();
    p.link.receive(encodeFrame(0xc023, Buffer.from([2, 1, 0, 5, 0])));
    assert.equal(p.auth.runs[0]?.stopped, true, 'PAP has nothing more to do after success');
  });
});
