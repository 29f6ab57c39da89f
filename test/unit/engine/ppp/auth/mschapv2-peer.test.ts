// A second, independent check of MS-CHAPv2: a strict server built only from the server-side crypto
// functions judges what the client really sends, with real random peer challenges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChap } from '../../../../../main/engine/ppp/auth/chap-packet.js';
import { MsChapV2Authenticator } from '../../../../../main/engine/ppp/auth/mschapv2.js';
import { fakeContext, packet } from './fake-context.js';
import type { FakeContext } from './fake-context.js';
import { MsChapV2TestServer } from './mschapv2-test-server.js';

function runExchange(ctx: FakeContext, server: MsChapV2TestServer) {
  const auth = new MsChapV2Authenticator(ctx);
  auth.start();
  auth.receive(packet(1, 1, Buffer.of(16), server.challenge, Buffer.from('strict-peer')));
  const sent = ctx.sent[0];
  assert.ok(sent, 'client answered');
  const d = decodeChap(sent.packet);
  assert.ok(d.ok && d.value.code === 'response');
  const verdict = server.judge(d.value.value, d.value.name.toString('utf8'));
  auth.receive(packet(verdict.ok ? 3 : 4, 1, Buffer.from(verdict.message)));
  return verdict;
}

const USERS = new Map([
  ['testuser', 'testpass'],
  ['HUB1\\testuser', 'testpass'],
  ['jürgen', 'pässwörd€'],
]);

for (const [user, password] of USERS) {
  test(`strict peer accepts the right password for ${JSON.stringify(user)}, and both ends agree on the HLAK`, () => {
    const ctx = fakeContext(user, password);
    const verdict = runExchange(ctx, new MsChapV2TestServer(USERS));
    assert.equal(verdict.ok, true);
    assert.equal(ctx.failures.length, 0);
    assert.equal(ctx.successes.length, 1);
    assert.ok(verdict.ok);
    assert.deepEqual(ctx.successes[0]?.hlak, verdict.hlak);
  });
}

test('strict peer refuses a wrong password, and the client reports auth-failed', () => {
  const ctx = fakeContext('testuser', 'testpasS');
  const verdict = runExchange(ctx, new MsChapV2TestServer(USERS));
  assert.equal(verdict.ok, false);
  assert.equal(ctx.successes.length, 0);
  assert.equal(ctx.failures[0]?.code, 'auth-failed');
  assert.match(ctx.failures[0]?.message ?? '', /wrong user name or password/);
});

test('strict peer refuses an ASCII-spaced hash of a non-ASCII password', () => {
  // A server storing the password as the buggy clients hash it must not match our proper UTF-16LE.
  const ctx = fakeContext('jürgen', 'pässwörd€');
  const buggy = new MsChapV2TestServer(new Map([['jürgen', Buffer.from('pässwörd€', 'utf8').toString('latin1')]]));
  const verdict = runExchange(ctx, buggy);
  assert.equal(verdict.ok, false);
});

test('a server that knows the password but answers with another proof is refused', () => {
  const ctx = fakeContext('testuser', 'testpass');
  const server = new MsChapV2TestServer(USERS);
  const auth = new MsChapV2Authenticator(ctx);
  auth.start();
  auth.receive(packet(1, 1, Buffer.of(16), server.challenge, Buffer.from('x')));
  // Proof computed for a different challenge: what a relaying man in the middle could offer.
  const other = new MsChapV2TestServer(USERS);
  const d = decodeChap(ctx.sent[0]?.packet ?? Buffer.alloc(0));
  assert.ok(d.ok && d.value.code === 'response');
  const forged = other.judge(d.value.value, 'testuser');
  assert.equal(forged.ok, false, 'the other server cannot even verify it');
  auth.receive(packet(3, 1, Buffer.from(`S=${'A'.repeat(40)} M=ok`)));
  assert.equal(ctx.failures[0]?.code, 'server-auth-failed');
});
