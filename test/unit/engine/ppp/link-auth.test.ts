// PppLink's choice of authentication method and the outcomes a server only implies (refusals, Terminate
// during auth, CHAP re-challenges).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../../../../main/engine/ppp/frame.js';
import { encodeControl } from '../../../../main/engine/ppp/packet.js';
import { Harness, LCP, authEap, authMschapv2, authPap } from './harness.js';
import { CONF_REQ, CONF_ACK, CONF_NAK, TERM_REQ, TERM_ACK, expectSent, lcpUp, ipv4Up } from './link-steps.js';

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
