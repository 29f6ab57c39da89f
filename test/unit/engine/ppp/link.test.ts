// PppLink's life outside negotiation: loopback, LCP echo and dead peers, demultiplexing, IPv4 not waiting
// for IPv6, and every way it ends.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { PPP_IPV4 } from '../../../../main/engine/ppp/protocols.js';
import {
  Harness,
  IPCP,
  IPV6CP,
  LCP,
  authPap,
  controlFrame,
  hexOpt,
  ipOpt,
  magic,
  mru,
  opt,
  scriptedRandom,
} from './harness.js';
import type { Sent } from './harness.js';
import { CONF_REQ, TERM_REQ, TERM_ACK, PROT_REJ, ECHO_REQ, ECHO_REP, ipv4Packet, lcpUp, ipv4Up } from './link-steps.js';

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
