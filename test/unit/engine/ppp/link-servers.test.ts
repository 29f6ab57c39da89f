// PppLink against three servers' ways of negotiating (RRAS, accel-ppp, SoftEther), from LCP to IPv4 up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { PPP_IPV4, PPP_IPV6 } from '../../../../main/engine/ppp/protocols.js';
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
  hexOpt,
  ipOpt,
  magic,
  mru,
  opt,
  optionsOf,
  scriptedRandom,
} from './harness.js';
import {
  CONF_REQ,
  CONF_ACK,
  CONF_NAK,
  CONF_REJ,
  PROT_REJ,
  ECHO_REQ,
  ECHO_REP,
  ipv4Packet,
  ipv6Packet,
  expectSent,
} from './link-steps.js';

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
