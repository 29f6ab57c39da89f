// PppLink when the server renegotiates LCP mid-session, and while authentication waits (MFA push).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { PPP_IPV4 } from '../../../../main/engine/ppp/protocols.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { Harness, IPCP, LCP, authMschapv2, ipOpt, magic, mru, opt, type Sent } from './harness.js';
import { CONF_ACK, CONF_NAK, CONF_REJ, CONF_REQ, ECHO_REQ, ipv4Packet, lcpUp } from './link-steps.js';

function ipv4Up(h: Harness): void {
  const req = h.take().find((s) => s.protocol === IPCP && s.code === CONF_REQ);
  assert.ok(req);
  h.feed(IPCP, CONF_REQ, 1, [ipOpt(3, '10.0.0.1')]);
  h.feed(IPCP, CONF_NAK, req.id, [ipOpt(3, '10.0.0.7')]);
  const again = h.take().find((s) => s.protocol === IPCP && s.code === CONF_REQ);
  assert.ok(again);
  h.ackLast(again);
  assert.ok(h.event('ipv4-up'));
  h.take();
}

function up(peerOptions: ConfigOption[] = [magic(0xcafe0001)]): Harness {
  const h = new Harness({ echoIntervalMs: 10_000 });
  lcpUp(h, peerOptions);
  ipv4Up(h);
  return h;
}

describe('LCP renegotiation after the network phase is up', () => {
  it('same options: we send our request and an Ack, reopen on the Ack, and the session carries on', () => {
    const h = up();
    const before = h.events.length;
    h.feed(LCP, CONF_REQ, 0x20, [magic(0xcafe0002)]);
    const sent = h.take();
    assert.deepEqual(
      sent.map((s) => [s.protocol, s.code]),
      [
        [LCP, CONF_REQ],
        [LCP, CONF_ACK],
      ],
    );
    const ours = sent[0] as Sent;
    h.ackLast(ours);
    assert.equal(h.event('failed'), undefined);
    // No second lcp-up, authenticated or ipv4-up: nothing above LCP restarted.
    assert.deepEqual(h.events.slice(before), []);
    assert.equal(h.carriesIp(PPP_IPV4, ipv4Packet), true);
    h.link.receive(encodeFrame(0x0021, ipv4Packet));
    assert.equal(h.events.at(-1)?.type, 'ip-packet');
    assert.ok(h.logs.some((l) => /renegotiated by the server with the same settings/.test(l.message)));
    // IPCP was left alone: no IPCP packet went out during or after.
    assert.equal(h.allSent.filter((s) => s.protocol === IPCP && s.code === CONF_REQ).length, 2);
  });

  it('an option we reject first (RCR-), then an acceptable request: still carries on', () => {
    const h = up();
    h.feed(LCP, CONF_REQ, 0x21, [magic(0xcafe0003), opt(13, 6)]);
    const first = h.take();
    assert.deepEqual(
      first.map((s) => s.code),
      [CONF_REQ, CONF_REJ],
    );
    h.feed(LCP, CONF_REQ, 0x22, [magic(0xcafe0003)]);
    assert.equal(h.one(LCP).code, CONF_ACK);
    h.ackLast(first[0] as Sent);
    assert.equal(h.event('failed'), undefined);
    assert.equal(h.carriesIp(PPP_IPV4, ipv4Packet), true);
  });

  it('a different MRU fails the session, naming what changed', () => {
    const h = up([mru(1500), magic(0xcafe0001)]);
    h.feed(LCP, CONF_REQ, 0x23, [mru(1400), magic(0xcafe0004)]);
    const ours = h.take()[0] as Sent;
    h.ackLast(ours);
    const f = h.event('failed')?.failure;
    assert.equal(f?.code, 'ppp-negotiation-failed');
    assert.match(f?.message ?? '', /server's MRU 1500 → 1400/);
  });

  it('during authentication a renegotiation still fails (authentication would have to start over)', () => {
    const h = new Harness();
    lcpUp(h, [authMschapv2(), magic(0xcafe0001)]);
    h.feed(LCP, CONF_REQ, 0x24, [authMschapv2(), magic(0xcafe0001)]);
    assert.equal(h.event('failed')?.failure.code, 'ppp-negotiation-failed');
  });
});

describe('while authentication waits (MFA push)', () => {
  it('announces auth-pending with the configured wait, and sends no LCP echo until authenticated', () => {
    const h = new Harness({ echoIntervalMs: 10_000, authWaitMs: 90_000 });
    lcpUp(h, [authMschapv2(), magic(0xcafe0001)]);
    const pending = h.event('auth-pending');
    assert.deepEqual(pending, { type: 'auth-pending', method: 'mschapv2', waitMs: 90_000 });
    assert.equal(h.auth.runs[0]?.ctx.waitMs, 90_000);
    h.take();
    for (let t = 0; t < 80; t++) h.clock.advance(1000);
    assert.equal(h.take().filter((s) => s.protocol === LCP && s.code === ECHO_REQ).length, 0);
    assert.equal(h.event('failed'), undefined);
    // The server answers at last: authenticated, and dead-peer detection starts.
    h.link.receive(encodeFrame(0xc223, Buffer.from([3, 1, 0, 4])));
    assert.ok(h.event('authenticated'));
    for (let t = 0; t < 10; t++) h.clock.advance(1000);
    assert.ok(h.take().some((s) => s.protocol === LCP && s.code === ECHO_REQ));
  });

  it('defaults the wait to 60 s', () => {
    const h = new Harness();
    lcpUp(h, [authMschapv2(), magic(0xcafe0001)]);
    assert.equal(h.event('auth-pending')?.waitMs, 60_000);
  });
});
