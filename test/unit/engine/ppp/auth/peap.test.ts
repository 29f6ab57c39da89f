// PEAPv0 through the EAP dispatcher against PeapTestServer (real node:tls inside EAP, the strict
// peer's MS-CHAPv2 verifier inside the tunnel): fragments under a small MRU, version 0 answered to
// a v1 offer, MSK agreement, the inner certificate judged first, and each typed refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrustPolicy } from '../../../../../main/engine/config.js';
import { decodeEap } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { decodeTlsFragment } from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';
import { EapAuthenticator } from '../../../../../main/engine/ppp/auth/eap.js';
import { PeapMethod } from '../../../../../main/engine/ppp/auth/peap.js';
import { peerCertificates, selfSignedServerCertificate } from '../../../../peers/certificates.js';
import { fakeContext, type FakeContext } from './fake-context.js';
import { pump } from './eap-exchange.js';
import { PeapTestServer, type PeapServerOptions } from './peap-test-server.js';

interface Run {
  readonly ctx: FakeContext;
  readonly server: PeapTestServer;
}

async function exchange(
  o: { password?: string; trust?: TrustPolicy; mru?: number; server?: Partial<PeapServerOptions> } = {},
): Promise<Run> {
  const certs = await peerCertificates();
  const ctx = fakeContext('testuser', o.password ?? 'testpass');
  const server = new PeapTestServer({
    certPem: certs.leaf.certPem,
    keyPem: certs.leaf.keyPem,
    users: { testuser: 'testpass' },
    ...o.server,
  });
  const trust = { policy: o.trust ?? { caPem: certs.ca.certPem }, serverName: 'sstp.strict.test' };
  const auth = new EapAuthenticator(ctx, {
    mschapv2: false,
    methods: [{ type: 25, create: (host) => new PeapMethod(host, { credentials: ctx.credentials, trust }) }],
    peerMru: () => o.mru ?? 1500,
  });
  await pump(auth, ctx, server, 300);
  return { ctx, server };
}

test("MRU 150, server fragments of 100 bytes, v1 offered: signs in with v0, fragments fit, HLAK = the server's MSK", async () => {
  const r = await exchange({ mru: 150, server: { offerVersion: 1, fragment: 100 } });
  assert.deepEqual(r.ctx.failures, []);
  assert.equal(r.ctx.successes.length, 1);
  assert.equal(r.server.problem, undefined);
  assert.equal(r.ctx.successes[0]?.hlak.toString('hex'), r.server.msk?.subarray(0, 32).toString('hex'));
  const frags = r.server.received.map((p) => {
    const d = decodeEap(p);
    assert.ok(d.ok && d.value.code === 'response');
    const f = decodeTlsFragment(d.value.data);
    assert.ok(f.ok);
    return { size: p.length, flags: `${f.value.totalLength !== undefined ? 'L' : ''}${f.value.more ? 'M' : ''}` };
  });
  assert.ok(
    frags.every((f) => f.size <= 150),
    frags.map((f) => f.size).join(','),
  );
  assert.ok(
    frags.some((f) => f.flags === 'LM'),
    'our messages went out in L+M fragments',
  );
  // The tunnel carried Identity, the MS-CHAPv2 Response and its Success ack, then the Extensions Response.
  assert.equal(r.server.innerReceived[0]?.toString('latin1'), '\x01testuser');
  assert.equal(r.server.innerReceived[2]?.toString('hex'), '1a03');
});

test('an untrusted tunnel certificate stops PEAP before anything enters the tunnel, with its fingerprint', async () => {
  const stranger = selfSignedServerCertificate('elsewhere.test');
  const r = await exchange({ trust: { caPem: stranger.certPem } });
  const f = r.ctx.failures[0];
  assert.equal(f?.code, 'server-auth-failed');
  const fp = (await peerCertificates()).leaf.sha256.toUpperCase().replace(/(..)(?!$)/g, '$1:');
  assert.ok(f?.message.includes(fp), f?.message);
  assert.deepEqual(r.server.innerReceived, []);
  assert.equal(r.ctx.successes.length, 0);
});

test('a wrong password: the inner MS-CHAPv2 Failure explains the EAP-Failure', async () => {
  const r = await exchange({ password: 'nope' });
  const f = r.ctx.failures[0];
  assert.equal(f?.code, 'auth-failed');
  assert.match(f?.message ?? '', /PEAP.*wrong user name or password/);
  assert.match(f?.detail ?? '', /E=691/);
});

test('a server that reports success without proving the password is refused (possible man-in-the-middle)', async () => {
  for (const server of [
    { resultBeforeProof: true },
    { wrongAuthenticatorResponse: true },
    { successAfterHandshake: true },
  ]) {
    const r = await exchange({ server });
    assert.equal(r.ctx.successes.length, 0, JSON.stringify(server));
    assert.equal(r.ctx.failures[0]?.code, 'server-auth-failed', JSON.stringify(server));
  }
});

test('a Crypto-Binding TLV whose Compound MAC does not verify is refused as a possible man-in-the-middle', async () => {
  // The test server's binding carries a zero MAC (hostapd's real one: test/integration/engine/peap-cryptobinding).
  const r = await exchange({ server: { cryptoBinding: true } });
  assert.equal(r.ctx.successes.length, 0);
  assert.equal(r.ctx.failures[0]?.code, 'server-auth-failed');
  assert.match(r.ctx.failures[0]?.detail ?? '', /Compound MAC does not match/);
});
