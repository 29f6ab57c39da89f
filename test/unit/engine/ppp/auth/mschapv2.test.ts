import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MsChapV2Authenticator } from '../../../../../main/engine/ppp/auth/mschapv2.js';
import { PPP_CHAP } from '../../../../../main/engine/ppp/protocols.js';
import { allLogText, fakeContext, packet } from './fake-context.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

// RFC 2759 §9.2 example and the RFC 3079 sample keys.
const AUTH_CHALLENGE = h('5B5D7C7D7B3F2F3E3C2C602132262628');
const PEER_CHALLENGE = h('21402324255E262A28295F2B3A337C7E');
const NT_RESPONSE = h('82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF');
const AUTH_RESPONSE = 'S=407A5589115FD0D6209F510FE9C04566932CDA56';
const CLIENT_HLAK = h('D5F0E9521E3EA9589645E86051C82226 8B7CDC149B993A1BA118CB153F56DCCB');

const challenge = (id: number, value: Buffer, name = 'server'): Buffer =>
  packet(1, id, Buffer.of(value.length), value, Buffer.from(name));
const success = (id: number, msg: string): Buffer => packet(3, id, Buffer.from(msg, 'latin1'));
const failure = (id: number, msg: string): Buffer => packet(4, id, Buffer.from(msg, 'latin1'));

function rfcClient(waitMs?: number) {
  const ctx = { ...fakeContext('User', 'clientPass'), ...(waitMs !== undefined ? { waitMs } : {}) };
  const auth = new MsChapV2Authenticator(ctx, { random: (n) => PEER_CHALLENGE.subarray(0, n) });
  auth.start();
  return { ctx, auth };
}

test('MS-CHAPv2 Response carries the RFC 2759 example values and the user name', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  assert.equal(ctx.sent.length, 1);
  assert.equal(ctx.sent[0]?.protocol, PPP_CHAP);
  const value = Buffer.concat([PEER_CHALLENGE, Buffer.alloc(8), NT_RESPONSE, Buffer.of(0)]);
  assert.deepEqual(ctx.sent[0]?.packet, packet(2, 3, Buffer.of(49), value, Buffer.from('User')));
});

test('MS-CHAPv2 verifies S= and succeeds with the client-view HLAK (MasterSendKey ‖ MasterReceiveKey)', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(success(3, `${AUTH_RESPONSE} M=Access granted`));
  assert.equal(ctx.failures.length, 0);
  assert.equal(ctx.successes.length, 1);
  assert.deepEqual(ctx.successes[0]?.hlak, CLIENT_HLAK);
  assert.equal(ctx.clock.pending, 0);
});

test('MS-CHAPv2 accepts a Success message without M=', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(success(3, AUTH_RESPONSE));
  assert.equal(ctx.successes.length, 1);
});

test('MS-CHAPv2 wrong authenticator response → server-auth-failed', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(success(3, 'S=407A5589115FD0D6209F510FE9C04566932CDA57 M=hi'));
  assert.equal(ctx.successes.length, 0);
  const f = ctx.failures[0];
  assert.equal(f?.code, 'server-auth-failed');
  assert.equal(f?.phase, 'auth');
  assert.match(f?.message ?? '', /could not prove it knows your password: possible man-in-the-middle — do not connect/);
});

test('MS-CHAPv2 Success without an authenticator response → server-auth-failed', () => {
  for (const msg of ['', 'M=Welcome', 'S=', 'S=407A55']) {
    const { ctx, auth } = rfcClient();
    auth.receive(challenge(3, AUTH_CHALLENGE));
    auth.receive(success(3, msg));
    assert.equal(ctx.successes.length, 0, msg);
    assert.equal(ctx.failures[0]?.code, 'server-auth-failed', msg);
  }
});

const FAILURES: ReadonlyArray<readonly [number, RegExp]> = [
  [691, /wrong user name or password/],
  [646, /logon hours/],
  [647, /disabled/],
  [648, /expired/],
  [649, /permission/],
  [709, /change your password/],
  [999, /error 999/],
];

for (const [code, text] of FAILURES) {
  test(`MS-CHAPv2 Failure E=${code} → auth-failed explaining what to do`, () => {
    const { ctx, auth } = rfcClient();
    auth.receive(challenge(3, AUTH_CHALLENGE));
    auth.receive(failure(3, `E=${code} R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=Go away`));
    const f = ctx.failures[0];
    assert.equal(ctx.failures.length, 1);
    assert.equal(f?.code, 'auth-failed');
    assert.equal(f?.phase, 'auth');
    assert.match(f?.message ?? '', text);
    assert.match(f?.detail ?? '', new RegExp(`E=${code}`));
    assert.match(f?.detail ?? '', /M=Go away/);
  });
}

test('MS-CHAPv2 Failure with an unparsable message still fails auth-failed', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(failure(3, '\x00\xffgarbage'));
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
});

test('MS-CHAPv2 answers a retransmitted Challenge with the same Response, a new one with a new peer challenge', () => {
  const ctx = fakeContext();
  const auth = new MsChapV2Authenticator(ctx);
  auth.start();
  auth.receive(challenge(1, AUTH_CHALLENGE));
  auth.receive(challenge(1, AUTH_CHALLENGE));
  assert.deepEqual(ctx.sent[1]?.packet, ctx.sent[0]?.packet);
  auth.receive(challenge(2, AUTH_CHALLENGE));
  assert.notDeepEqual(ctx.sent[2]?.packet.subarray(5, 21), ctx.sent[0]?.packet.subarray(5, 21));
});

test('MS-CHAPv2 ignores a challenge that is not 16 bytes, and Success/Failure for other identifiers', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(1, Buffer.alloc(8)));
  assert.equal(ctx.sent.length, 0);
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(success(4, AUTH_RESPONSE));
  auth.receive(failure(5, 'E=691 R=0'));
  assert.equal(ctx.successes.length + ctx.failures.length, 0);
});

test('MS-CHAPv2 fails negotiation-timeout when the server says nothing for the 60 s default wait', () => {
  const { ctx } = rfcClient();
  ctx.clock.advance(59_999);
  assert.equal(ctx.failures.length, 0);
  ctx.clock.advance(1);
  assert.equal(ctx.failures[0]?.code, 'negotiation-timeout');
  assert.equal(ctx.failures[0]?.phase, 'auth');
  assert.equal(ctx.clock.pending, 0);
});

test('MS-CHAPv2 times out when the server goes quiet after our Response', () => {
  const { ctx, auth } = rfcClient();
  ctx.clock.advance(10_000);
  auth.receive(challenge(3, AUTH_CHALLENGE));
  ctx.clock.advance(59_000);
  assert.equal(ctx.failures.length, 0);
  ctx.clock.advance(1_000);
  assert.equal(ctx.failures[0]?.code, 'negotiation-timeout');
});

test('MS-CHAPv2 waits out an MFA push: nothing is resent during the wait, Success at 119 s of a 120 s wait succeeds', () => {
  const { ctx, auth } = rfcClient(120_000);
  auth.receive(challenge(3, AUTH_CHALLENGE));
  assert.equal(ctx.sent.length, 1);
  for (let t = 0; t < 119; t++) ctx.clock.advance(1_000);
  assert.equal(ctx.sent.length, 1, 'no second Response: it could start a second RADIUS request and a second push');
  assert.equal(ctx.failures.length, 0);
  auth.receive(success(3, AUTH_RESPONSE));
  assert.equal(ctx.successes.length, 1);
  assert.equal(ctx.clock.pending, 0);
});

test('MS-CHAPv2 past the configured wait: the failure names the limit and how to raise it', () => {
  const { ctx, auth } = rfcClient(70_000);
  auth.receive(challenge(3, AUTH_CHALLENGE));
  ctx.clock.advance(69_999);
  assert.equal(ctx.failures.length, 0);
  ctx.clock.advance(1);
  const f = ctx.failures[0];
  assert.equal(f?.code, 'negotiation-timeout');
  assert.match(f?.message ?? '', /70-second authentication wait/);
  assert.match(f?.message ?? '', /Authentication wait.*--auth-wait SECONDS/);
  assert.match(f?.detail ?? '', /70000 ms/);
});

test('MS-CHAPv2 answers a re-challenge after success (accel-ppp chap-interval) and keeps the first HLAK', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(success(3, AUTH_RESPONSE));
  auth.receive(challenge(4, AUTH_CHALLENGE));
  assert.equal(ctx.sent.length, 2);
  assert.equal(ctx.sent[1]?.packet[1], 4);
  auth.receive(success(4, AUTH_RESPONSE));
  assert.equal(ctx.successes.length, 1);
  assert.equal(ctx.failures.length, 0);
});

test('MS-CHAPv2 traces in pppd form without password, NT-Response, authenticator response or keys', () => {
  const { ctx, auth } = rfcClient();
  auth.receive(challenge(3, AUTH_CHALLENGE));
  auth.receive(success(3, `${AUTH_RESPONSE} M=Welcome`));
  const text = allLogText(ctx).toLowerCase();
  assert.match(text, /send \[mschapv2 response id=0x3 name="user"\]/);
  assert.match(text, /rcvd \[mschapv2 success id=0x3 m="welcome"\]/);
  for (const secret of [
    'clientpass',
    NT_RESPONSE.toString('hex'),
    AUTH_RESPONSE.slice(2).toLowerCase(),
    CLIENT_HLAK.subarray(0, 16).toString('hex'),
    CLIENT_HLAK.subarray(16).toString('hex'),
  ]) {
    assert.ok(!text.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
  }
});
