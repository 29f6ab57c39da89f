import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ChapMd5Authenticator } from '../../../../../main/engine/ppp/auth/chap-md5.js';
import { PPP_CHAP } from '../../../../../main/engine/ppp/protocols.js';
import { allLogText, fakeContext, packet } from './fake-context.js';

const challenge = (id: number, value: Buffer, name = 'server'): Buffer =>
  packet(1, id, Buffer.of(value.length), value, Buffer.from(name));
const success = (id: number, msg = 'Welcome'): Buffer => packet(3, id, Buffer.from(msg));
const failure = (id: number, msg = 'Access denied'): Buffer => packet(4, id, Buffer.from(msg));
const expectedDigest = (id: number, secret: string, value: Buffer): Buffer =>
  createHash('md5')
    .update(Buffer.concat([Buffer.of(id), Buffer.from(secret), value]))
    .digest();

test('CHAP-MD5 answers MD5(id ‖ secret ‖ challenge) with our name, then Success gives a zero HLAK', () => {
  const ctx = fakeContext('testuser', 'testpass');
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  assert.equal(ctx.sent.length, 0, 'waits for the server');
  const value = Buffer.from('0123456789abcdef0123', 'latin1');
  chap.receive(challenge(7, value));
  const r = ctx.sent[0];
  assert.equal(r?.protocol, PPP_CHAP);
  assert.deepEqual(
    r?.packet,
    packet(2, 7, Buffer.of(16), expectedDigest(7, 'testpass', value), Buffer.from('testuser')),
  );
  chap.receive(success(7));
  assert.equal(ctx.successes.length, 1);
  assert.deepEqual(ctx.successes[0]?.hlak, Buffer.alloc(32));
  assert.equal(ctx.clock.pending, 0);
});

test('CHAP-MD5 Failure fails auth-failed with the server text', () => {
  const ctx = fakeContext();
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  chap.receive(challenge(1, Buffer.alloc(16, 1)));
  chap.receive(failure(1, 'Wrong secret'));
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
  assert.equal(ctx.failures[0]?.phase, 'auth');
  assert.match(ctx.failures[0]?.message ?? '', /Wrong secret/);
});

test('CHAP-MD5 answers re-challenges after success without succeeding twice', () => {
  const ctx = fakeContext('u', 'p');
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  chap.receive(challenge(1, Buffer.alloc(16, 1)));
  chap.receive(success(1));
  const value = Buffer.alloc(20, 9);
  chap.receive(challenge(2, value));
  assert.equal(ctx.sent.length, 2);
  assert.deepEqual(ctx.sent[1]?.packet, packet(2, 2, Buffer.of(16), expectedDigest(2, 'p', value), Buffer.from('u')));
  chap.receive(success(2));
  assert.equal(ctx.successes.length, 1);
  // A failed re-authentication still ends the link.
  chap.receive(challenge(3, value));
  chap.receive(failure(3));
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
});

test('CHAP-MD5 ignores Success/Failure whose identifier answers nothing of ours', () => {
  const ctx = fakeContext();
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  chap.receive(success(1));
  chap.receive(challenge(2, Buffer.alloc(16)));
  chap.receive(failure(3));
  chap.receive(success(4));
  assert.equal(ctx.successes.length + ctx.failures.length, 0);
});

test('CHAP-MD5 fails negotiation-timeout after the 60 s default wait, re-armed by each challenge', () => {
  const ctx = fakeContext();
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  ctx.clock.advance(20_000);
  chap.receive(challenge(1, Buffer.alloc(16)));
  ctx.clock.advance(59_999);
  assert.equal(ctx.failures.length, 0);
  ctx.clock.advance(1);
  assert.equal(ctx.failures[0]?.code, 'negotiation-timeout');
  assert.equal(ctx.failures[0]?.phase, 'auth');
});

test("CHAP-MD5 silent server times out from start, after the context's wait when one is set", () => {
  const ctx = fakeContext();
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  ctx.clock.advance(60_000);
  assert.equal(ctx.failures[0]?.code, 'negotiation-timeout');

  const short = { ...fakeContext(), waitMs: 15_000 };
  new ChapMd5Authenticator(short).start();
  short.clock.advance(14_999);
  assert.equal(short.failures.length, 0);
  short.clock.advance(1);
  assert.match(short.failures[0]?.message ?? '', /15-second authentication wait.*--auth-wait/);
});

test('CHAP-MD5 traces without the secret or the response value', () => {
  const ctx = fakeContext('testuser', 'hunter2hunter2');
  const chap = new ChapMd5Authenticator(ctx);
  chap.start();
  const value = Buffer.alloc(16, 3);
  chap.receive(challenge(1, value));
  const text = allLogText(ctx);
  assert.match(text, /send \[CHAP Response id=0x1 name="testuser"\]/);
  assert.ok(!text.includes('hunter2'));
  assert.ok(!text.toLowerCase().includes(expectedDigest(1, 'hunter2hunter2', value).toString('hex')));
});
