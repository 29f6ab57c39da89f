import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_AUTH_WAIT_MS } from '../../../../../main/engine/config.js';
import { decodeChap } from '../../../../../main/engine/ppp/auth/chap-packet.js';
import { decodeEap } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { EapAuthenticator } from '../../../../../main/engine/ppp/auth/eap.js';
import { PPP_EAP } from '../../../../../main/engine/ppp/protocols.js';
import { allLogText, fakeContext, packet } from './fake-context.js';
import type { FakeContext } from './fake-context.js';
import { MsChapV2TestServer } from './mschapv2-test-server.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const AUTH_CHALLENGE = h('5B5D7C7D7B3F2F3E3C2C602132262628');
const PEER_CHALLENGE = h('21402324255E262A28295F2B3A337C7E');
const NT_RESPONSE = h('82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF');
const AUTH_RESPONSE = 'S=407A5589115FD0D6209F510FE9C04566932CDA56';
const CLIENT_HLAK = h('D5F0E9521E3EA9589645E86051C82226 8B7CDC149B993A1BA118CB153F56DCCB');

const request = (id: number, type: number, data: Buffer = Buffer.alloc(0)): Buffer =>
  packet(1, id, Buffer.of(type), data);
const eapSuccess = (id: number): Buffer => packet(3, id);
const eapFailure = (id: number): Buffer => packet(4, id);
/** An EAP-MSCHAPv2 inner packet: OpCode, MS-CHAPv2-ID, MS-Length, data. */
const inner = (opcode: number, msId: number, ...data: Buffer[]): Buffer => packet(opcode, msId, ...data);
const msChallenge = (eapId: number, msId: number, challenge: Buffer, name = 'srv'): Buffer =>
  request(eapId, 26, inner(1, msId, Buffer.of(16), challenge, Buffer.from(name)));
const msSuccess = (eapId: number, msId: number, msg: string): Buffer =>
  request(eapId, 26, inner(3, msId, Buffer.from(msg)));
const msFailure = (eapId: number, msId: number, msg: string): Buffer =>
  request(eapId, 26, inner(4, msId, Buffer.from(msg)));

function response(ctx: FakeContext, i: number): { id: number; type: number; data: Buffer } {
  const s = ctx.sent[i];
  assert.ok(s, `response ${i} was sent`);
  assert.equal(s.protocol, PPP_EAP);
  const d = decodeEap(s.packet);
  assert.ok(d.ok && d.value.code === 'response', 'an EAP Response');
  return d.value;
}

function rfcClient() {
  const ctx = fakeContext('User', 'clientPass');
  const eap = new EapAuthenticator(ctx, { random: (n) => PEER_CHALLENGE.subarray(0, n) });
  eap.start();
  return { ctx, eap };
}

test('EAP Identity is answered with the user name', () => {
  const ctx = fakeContext('testuser@HUB1', 'x');
  const eap = new EapAuthenticator(ctx);
  eap.start();
  eap.receive(request(1, 1));
  assert.deepEqual(ctx.sent[0]?.packet, packet(2, 1, Buffer.of(1), Buffer.from('testuser@HUB1')));
});

for (const [type, name] of [
  [13, 'EAP-TLS'],
  [25, 'PEAP'],
  [4, 'MD5-Challenge'],
] as const) {
  test(`EAP ${name} (type ${type}) is answered with a Legacy Nak proposing MSCHAPv2 (26)`, () => {
    const ctx = fakeContext();
    const eap = new EapAuthenticator(ctx);
    eap.start();
    eap.receive(request(5, type, Buffer.of(0x20)));
    assert.deepEqual(ctx.sent[0]?.packet, packet(2, 5, Buffer.of(3, 26)));
    assert.equal(ctx.failures.length, 0);
  });
}

test('EAP-MSCHAPv2 with the RFC 2759 example: Response layout, Success ack 0x03, then EAP-Success → HLAK', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(request(1, 1));
  eap.receive(msChallenge(2, 0x42, AUTH_CHALLENGE));
  const r = response(ctx, 1);
  assert.equal(r.id, 2);
  assert.equal(r.type, 26);
  // OpCode 2, MS-CHAPv2-ID echoes the challenge's, MS-Length covers the inner packet, Value-Size 49.
  const value = Buffer.concat([PEER_CHALLENGE, Buffer.alloc(8), NT_RESPONSE, Buffer.of(0)]);
  assert.deepEqual(r.data, Buffer.concat([Buffer.of(2, 0x42, 0, 4 + 1 + 49 + 4, 49), value, Buffer.from('User')]));
  eap.receive(msSuccess(3, 0x42, `${AUTH_RESPONSE} M=Welcome`));
  const ack = response(ctx, 2);
  assert.equal(ack.id, 3);
  assert.equal(ack.type, 26);
  assert.deepEqual(ack.data, Buffer.of(3));
  assert.equal(ctx.successes.length, 0, 'waits for EAP-Success');
  eap.receive(eapSuccess(3));
  assert.equal(ctx.failures.length, 0);
  assert.equal(ctx.successes.length, 1);
  // First 32 bytes of the MSK = peer MasterSendKey ‖ MasterReceiveKey.
  assert.deepEqual(ctx.successes[0]?.hlak, CLIENT_HLAK);
  assert.equal(ctx.clock.pending, 0);
});

test('EAP-MSCHAPv2 against the strict test server: right password succeeds with the server-view HLAK', () => {
  const users = new Map([['testuser', 'pässwörd€']]);
  const server = new MsChapV2TestServer(users);
  const ctx = fakeContext('testuser', 'pässwörd€');
  const eap = new EapAuthenticator(ctx);
  eap.start();
  eap.receive(msChallenge(1, 1, server.challenge));
  const d = decodeChap(response(ctx, 0).data);
  assert.ok(d.ok && d.value.code === 'response');
  const verdict = server.judge(d.value.value, d.value.name.toString('utf8'));
  assert.ok(verdict.ok);
  eap.receive(msSuccess(2, 1, verdict.message));
  eap.receive(eapSuccess(2));
  assert.deepEqual(ctx.successes[0]?.hlak, verdict.hlak);
});

test('EAP-MSCHAPv2 wrong password: strict server refuses, client acks the Failure with 0x04 and fails auth-failed', () => {
  const server = new MsChapV2TestServer(new Map([['testuser', 'testpass']]));
  const ctx = fakeContext('testuser', 'wrong');
  const eap = new EapAuthenticator(ctx);
  eap.start();
  eap.receive(msChallenge(1, 1, server.challenge));
  const d = decodeChap(response(ctx, 0).data);
  assert.ok(d.ok && d.value.code === 'response');
  const verdict = server.judge(d.value.value, 'testuser');
  assert.equal(verdict.ok, false);
  eap.receive(msFailure(2, 1, verdict.message));
  assert.deepEqual(response(ctx, 1).data, Buffer.of(4));
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
  assert.match(ctx.failures[0]?.message ?? '', /wrong user name or password/);
});

test('EAP-MSCHAPv2 bad authenticator response → server-auth-failed and no Success ack', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(msChallenge(2, 1, AUTH_CHALLENGE));
  eap.receive(msSuccess(3, 1, 'S=0000000000000000000000000000000000000000 M=hi'));
  assert.equal(ctx.sent.length, 1);
  assert.equal(ctx.failures[0]?.code, 'server-auth-failed');
  eap.receive(eapSuccess(3));
  assert.equal(ctx.successes.length, 0);
});

test('EAP-Success without the MS-CHAPv2 proof → server-auth-failed', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(request(1, 1));
  eap.receive(eapSuccess(1));
  assert.equal(ctx.successes.length, 0);
  assert.equal(ctx.failures[0]?.code, 'server-auth-failed');
});

test('EAP-Failure → auth-failed', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(request(1, 1));
  eap.receive(eapFailure(1));
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
  assert.equal(ctx.failures[0]?.phase, 'auth');
});

test('EAP duplicate Request (same identifier) gets the same Response again', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(msChallenge(7, 1, AUTH_CHALLENGE));
  eap.receive(msChallenge(7, 1, AUTH_CHALLENGE));
  assert.equal(ctx.sent.length, 2);
  assert.deepEqual(ctx.sent[1]?.packet, ctx.sent[0]?.packet);
});

test('EAP Notification is acknowledged and its text logged', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(request(1, 2, Buffer.from('Password expires in 3 days')));
  assert.deepEqual(ctx.sent[0]?.packet, packet(2, 1, Buffer.of(2)));
  assert.match(allLogText(ctx), /Password expires in 3 days/);
});

test('EAP waits for the server as long as the auth wait (default 60 s, for an MFA push), also mid-exchange', () => {
  const a = rfcClient();
  a.ctx.clock.advance(DEFAULT_AUTH_WAIT_MS - 1);
  assert.equal(a.ctx.failures.length, 0);
  a.ctx.clock.advance(1);
  assert.equal(a.ctx.failures[0]?.code, 'negotiation-timeout');
  assert.equal(a.ctx.failures[0]?.phase, 'auth');
  assert.match(a.ctx.failures[0]?.message ?? '', /60-second authentication wait/);

  const b = rfcClient();
  b.eap.receive(request(1, 1));
  b.ctx.clock.advance(DEFAULT_AUTH_WAIT_MS - 1_000);
  b.eap.receive(msChallenge(2, 1, AUTH_CHALLENGE));
  b.ctx.clock.advance(DEFAULT_AUTH_WAIT_MS - 1_000);
  assert.equal(b.ctx.failures.length, 0);
  b.ctx.clock.advance(1_000);
  assert.equal(b.ctx.failures[0]?.code, 'negotiation-timeout');
});

test('EAP stop() silences it', () => {
  const { ctx, eap } = rfcClient();
  eap.stop();
  assert.equal(ctx.clock.pending, 0);
  eap.receive(request(1, 1));
  assert.equal(ctx.sent.length, 0);
});

test('EAP traces without password, NT-Response, S= or keys', () => {
  const { ctx, eap } = rfcClient();
  eap.receive(request(1, 1));
  eap.receive(request(2, 13));
  eap.receive(msChallenge(3, 1, AUTH_CHALLENGE));
  eap.receive(msSuccess(4, 1, `${AUTH_RESPONSE} M=Welcome`));
  eap.receive(eapSuccess(4));
  const text = allLogText(ctx);
  assert.match(text, /send \[EAP Response id=0x1 Identity "User"\]/);
  assert.match(text, /send \[EAP Response id=0x2 Nak <MSCHAPv2>\]/);
  assert.match(text, /send \[EAP Response id=0x3 MSCHAPv2 Response id=0x1 name="User"\]/);
  const lower = text.toLowerCase();
  for (const secret of [
    'clientpass',
    NT_RESPONSE.toString('hex'),
    AUTH_RESPONSE.slice(2).toLowerCase(),
    CLIENT_HLAK.subarray(0, 16).toString('hex'),
  ]) {
    assert.ok(!lower.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
  }
});
