import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PapAuthenticator } from '../../../../../main/engine/ppp/auth/pap.js';
import { PPP_PAP } from '../../../../../main/engine/ppp/protocols.js';
import { allLogText, fakeContext, packet } from './fake-context.js';

const ack = (id: number, msg = ''): Buffer => packet(2, id, Buffer.of(msg.length), Buffer.from(msg, 'latin1'));
const nak = (id: number, msg = ''): Buffer => packet(3, id, Buffer.of(msg.length), Buffer.from(msg, 'latin1'));

test('PAP sends Authenticate-Request with user and password, and an Ack succeeds with a zero HLAK', () => {
  const ctx = fakeContext('testuser', 'testpass');
  const pap = new PapAuthenticator(ctx);
  pap.start();
  assert.equal(ctx.sent.length, 1);
  const first = ctx.sent[0];
  assert.ok(first);
  assert.equal(first.protocol, PPP_PAP);
  assert.deepEqual(
    first.packet,
    Buffer.concat([Buffer.from([1, 1, 0, 22, 8]), Buffer.from('testuser'), Buffer.of(8), Buffer.from('testpass')]),
  );
  pap.receive(ack(1, 'Welcome'));
  assert.equal(ctx.failures.length, 0);
  assert.equal(ctx.successes.length, 1);
  assert.deepEqual(ctx.successes[0]?.hlak, Buffer.alloc(32));
  assert.equal(ctx.clock.pending, 0, 'no retransmission timer left');
  pap.receive(ack(1));
  assert.equal(ctx.successes.length, 1, 'succeeds once');
});

test('PAP Nak fails auth-failed and quotes the server message', () => {
  const ctx = fakeContext();
  const pap = new PapAuthenticator(ctx);
  pap.start();
  pap.receive(nak(1, 'Invalid password for testuser'));
  assert.equal(ctx.successes.length, 0);
  const f = ctx.failures[0];
  assert.equal(ctx.failures.length, 1);
  assert.equal(f?.phase, 'auth');
  assert.equal(f?.code, 'auth-failed');
  assert.match(f?.message ?? '', /Invalid password for testuser/);
  assert.equal(ctx.clock.pending, 0);
});

test('PAP Nak with unprintable bytes leaves them out of the message', () => {
  const ctx = fakeContext();
  const pap = new PapAuthenticator(ctx);
  pap.start();
  pap.receive(nak(1, 'bad\x01\x02'));
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
  assert.doesNotMatch(ctx.failures[0]?.message ?? '', /bad/);
});

test('PAP Nak with a long message is truncated', () => {
  const ctx = fakeContext();
  const pap = new PapAuthenticator(ctx);
  pap.start();
  pap.receive(nak(1, 'x'.repeat(250)));
  const m = ctx.failures[0]?.message ?? '';
  assert.ok(m.includes('x'.repeat(100)));
  assert.ok(!m.includes('x'.repeat(101)));
});

test('PAP retransmits twice, 3 s apart with a new identifier, then waits quietly until the 60 s auth wait', () => {
  const ctx = fakeContext();
  const pap = new PapAuthenticator(ctx);
  pap.start();
  ctx.clock.advance(2_999);
  assert.equal(ctx.sent.length, 1);
  ctx.clock.advance(1);
  assert.equal(ctx.sent.length, 2);
  assert.equal(ctx.sent[1]?.packet[1], 2, 'identifier changes');
  ctx.clock.advance(3_000);
  assert.equal(ctx.sent.length, 3);
  // An MFA push: no more copies (each could start another RADIUS request), no failure before 60 s.
  ctx.clock.advance(60_000 - 6_000 - 1);
  assert.equal(ctx.sent.length, 3);
  assert.equal(ctx.failures.length, 0);
  ctx.clock.advance(1);
  assert.equal(ctx.failures.length, 1);
  assert.equal(ctx.failures[0]?.code, 'negotiation-timeout');
  assert.equal(ctx.failures[0]?.phase, 'auth');
  assert.match(ctx.failures[0]?.message ?? '', /60-second authentication wait/);
  assert.equal(ctx.clock.pending, 0);
});

test('PAP answered after 45 s of a 90 s wait succeeds', () => {
  const ctx = { ...fakeContext(), waitMs: 90_000 };
  const pap = new PapAuthenticator(ctx);
  pap.start();
  ctx.clock.advance(45_000);
  pap.receive(ack(3));
  assert.equal(ctx.successes.length, 1);
  assert.equal(ctx.sent.length, 3);
  assert.equal(ctx.clock.pending, 0);
});

test('PAP accepts a late Ack to an earlier copy of the request, ignores unknown identifiers', () => {
  const ctx = fakeContext();
  const pap = new PapAuthenticator(ctx);
  pap.start();
  ctx.clock.advance(6_000);
  assert.equal(ctx.sent.length, 3);
  pap.receive(ack(9));
  assert.equal(ctx.successes.length, 0);
  pap.receive(ack(1));
  assert.equal(ctx.successes.length, 1);
});

test('PAP stop() cancels the retransmission timer and silences the authenticator', () => {
  const ctx = fakeContext();
  const pap = new PapAuthenticator(ctx);
  pap.start();
  pap.stop();
  assert.equal(ctx.clock.pending, 0);
  ctx.clock.advance(60_000);
  pap.receive(ack(1));
  assert.equal(ctx.sent.length, 1);
  assert.equal(ctx.successes.length + ctx.failures.length, 0);
});

test('PAP refuses credentials longer than 255 bytes instead of truncating them', () => {
  const ctx = fakeContext('u', 'p'.repeat(256));
  const pap = new PapAuthenticator(ctx);
  pap.start();
  assert.equal(ctx.sent.length, 0);
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
});

test('PAP traces without the password', () => {
  const ctx = fakeContext('testuser', 'S3cret!pw');
  const pap = new PapAuthenticator(ctx);
  pap.start();
  pap.receive(ack(1, 'ok'));
  const text = allLogText(ctx);
  assert.match(text, /send \[PAP AuthReq id=0x1 user="testuser" password=<hidden>\]/);
  assert.match(text, /rcvd \[PAP AuthAck id=0x1 "ok"\]/);
  assert.ok(!text.includes('S3cret!pw'));
  assert.ok(ctx.logs.every((l) => l.level === 'debug' && l.phase === 'auth'));
});
