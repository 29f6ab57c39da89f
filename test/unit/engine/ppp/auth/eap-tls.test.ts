// EAP-TLS through the EAP dispatcher against a real node:tls server inside EAP (EapTlsTestServer):
// fragmentation both ways under the MRU, both ACK styles, TLS 1.2 and 1.3, MSK agreement with the
// server, the inner certificate judged before our certificate leaves, and the typed failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthMethod } from '../../../../../main/engine/config.js';
import { decodeEap } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { decodeTlsFragment } from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';
import { EapAuthenticator } from '../../../../../main/engine/ppp/auth/eap.js';
import { eapOptions } from '../../../../../main/engine/ppp/auth/eap-setup.js';
import type { EapSetup } from '../../../../../main/engine/ppp/auth/eap-setup.js';
import { EXPIRED, makeTestCa } from '../../../../harness/softether-certs.js';
import { pump, turns } from './eap-exchange.js';
import { EapTlsTestServer } from './eap-tls-test-server.js';
import type { EapTlsServerOptions } from './eap-tls-test-server.js';
import { fakeContext, packet } from './fake-context.js';
import type { FakeContext } from './fake-context.js';

const serverCa = makeTestCa('EAP test server CA');
const serverCert = serverCa.issue({ commonName: 'eap.test', altNames: ['DNS:eap.test'], purpose: 'server' });
const userCa = makeTestCa('EAP test user CA');
const alice = userCa.issue({ commonName: 'alice' });
const aliceExpired = userCa.issue({ commonName: 'alice', ...EXPIRED });
const otherCa = makeTestCa('Some other CA');
const mallory = otherCa.issue({ commonName: 'alice' });

interface Run {
  readonly ctx: FakeContext;
  readonly server: EapTlsTestServer;
  readonly auth: EapAuthenticator;
}

function setup(over: Partial<EapSetup> & { cert?: typeof alice | null; methods?: AuthMethod[] }, mru = 1500): EapSetup {
  const cert = over.cert === undefined ? alice : over.cert;
  return {
    authMethods: over.methods ?? ['eap-tls'],
    ...(cert === null ? {} : { clientCertificate: { pfx: cert.pfx('pw'), passphrase: 'pw' } }),
    trust: over.trust ?? { policy: { caPem: serverCa.certPem }, serverName: 'eap.test' },
    peerMru: () => mru,
  };
}

/** Delivers packets both ways until neither side has anything left to say. */
async function exchange(s: EapSetup, server: Partial<EapTlsServerOptions> = {}): Promise<Run> {
  const ctx = fakeContext('alice', 'unused');
  const srv = new EapTlsTestServer({
    certPem: serverCert.certPem,
    keyPem: serverCert.keyPem,
    clientCaPem: userCa.certPem,
    ...server,
  });
  const auth = new EapAuthenticator(ctx, eapOptions('eap-tls', ctx, s));
  await pump(auth, ctx, srv, 200);
  return { ctx, server: srv, auth };
}

function clientFragments(r: Run): { flags: string; size: number }[] {
  return r.server.received.map((p) => {
    const d = decodeEap(p);
    assert.ok(d.ok && d.value.code === 'response');
    const f = decodeTlsFragment(d.value.data);
    assert.ok(f.ok);
    return { flags: `${f.value.totalLength !== undefined ? 'L' : ''}${f.value.more ? 'M' : ''}`, size: p.length };
  });
}

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  for (const ackStyle of ['rfc', 'softether'] as const) {
    test(`${version}, ${ackStyle} ACKs, MRU 300: signs in, fragments fit, MSK agrees with the server`, async () => {
      const r = await exchange(setup({}, 300), { maxVersion: version, ackStyle, fragment: 250 });
      assert.deepEqual(r.ctx.failures, []);
      assert.equal(r.ctx.successes.length, 1);
      assert.ok(r.server.outcome?.ok);
      if (!r.server.outcome?.ok) return;
      assert.match(r.server.outcome.clientSubject, /CN=alice/);
      // HLAK = first 32 bytes of the MSK both sides derived (MS-SSTP §3.2.5.2).
      assert.equal(r.ctx.successes[0]?.hlak.toString('hex'), r.server.outcome.msk.subarray(0, 32).toString('hex'));
      const frags = clientFragments(r);
      assert.ok(
        frags.every((f) => f.size <= 300),
        `sizes ${frags.map((f) => f.size).join(',')}`,
      );
      // Our certificate flight did not fit: L+M first, then M, then the last fragment.
      assert.ok(frags.some((f) => f.flags === 'LM'));
      assert.ok(frags.some((f) => f.flags === 'M'));
    });
  }
}

test('TLS 1.3 HelloRetryRequest (server wants P-384): our second ClientHello goes out and we sign in', async () => {
  const r = await exchange(setup({}), { maxVersion: 'TLSv1.3', ecdhCurve: 'P-384' });
  assert.deepEqual(r.ctx.failures, []);
  assert.equal(r.ctx.successes.length, 1);
  // ClientHello, second ClientHello, then our certificate flight: three client messages at least.
  assert.ok(clientFragments(r).filter((f) => f.size > 100).length >= 3);
});

test('an untrusted server certificate stops EAP-TLS before our certificate leaves, naming its fingerprint', async () => {
  // TLS 1.2: our Certificate message would travel in clear, so its absence on the wire is checkable.
  const r = await exchange(setup({ trust: { policy: { caPem: otherCa.certPem }, serverName: 'eap.test' } }), {
    maxVersion: 'TLSv1.2',
  });
  assert.equal(r.ctx.successes.length, 0);
  const f = r.ctx.failures[0];
  assert.equal(f?.code, 'server-auth-failed');
  assert.equal(f?.certificate, undefined, 'not offered as the outer certificate to pin');
  assert.equal(f?.eapCertificate?.subject, 'CN=eap.test, O=Causeway EAP-TLS test');
  const fp = serverCert.sha256.toUpperCase().replace(/(..)(?!$)/g, '$1:');
  assert.ok(f?.message.includes(fp), f?.message);
  assert.match(f?.message ?? '', /not trusted: it was issued by an authority/);
  // Only the ClientHello went out (plus ACKs of the server's fragments): no certificate bytes.
  const sent = Buffer.concat(r.server.received);
  assert.equal(sent.includes(alice.der.subarray(100, 164)), false);
});

test('a pin of the inner certificate trusts it whatever its chain; a wrong name is refused', async () => {
  const pinned = await exchange(setup({ trust: { policy: { pinSha256: serverCert.sha256 } } }));
  assert.equal(pinned.ctx.successes.length, 1);
  const named = await exchange(
    setup({ trust: { policy: { caPem: serverCa.certPem }, serverName: 'nps.example.com' } }),
  );
  assert.match(named.ctx.failures[0]?.message ?? '', /not issued to nps\.example\.com/);
});

test('a client certificate from another CA: the server refuses, and Causeway says why', async () => {
  const r = await exchange(setup({ cert: mallory }));
  assert.equal(r.server.outcome?.ok, false);
  const f = r.ctx.failures[0];
  assert.equal(f?.code, 'auth-failed');
  assert.match(
    f?.message ?? '',
    /refused to sign in "alice" with your client certificate \(alice, issued by Some other CA\)/,
  );
});

test('an expired client certificate: the failure says it expired and to renew it', async () => {
  const r = await exchange(setup({ cert: aliceExpired }));
  assert.equal(r.server.outcome?.ok, false);
  assert.match(r.ctx.failures[0]?.message ?? '', /Your certificate expired on \d{4}-\d\d-\d\d: get a renewed one/);
});

test('no client certificate in the profile: a typed failure at the first TLS Request', async () => {
  const r = await exchange(setup({ cert: null }));
  assert.equal(r.ctx.failures[0]?.code, 'auth-failed');
  assert.match(r.ctx.failures[0]?.message ?? '', /has no client certificate/);
});

test('a wrong PKCS#12 passphrase is a client-certificate failure, not a server refusal', async () => {
  const s = { ...setup({}), clientCertificate: { pfx: alice.pfx('pw'), passphrase: 'wrong' } };
  const r = await exchange(s);
  assert.match(r.ctx.failures[0]?.message ?? '', /client certificate could not be used/);
});

test('EAP-Success before the TLS handshake finished is refused as an unproven server', async () => {
  const ctx = fakeContext('alice', 'x');
  const auth = new EapAuthenticator(ctx, eapOptions('eap-tls', ctx, setup({})));
  auth.start();
  auth.receive(packet(1, 1, Buffer.of(13), Buffer.of(0x20)));
  await turns(50);
  auth.receive(packet(3, 2));
  assert.equal(ctx.failures[0]?.code, 'server-auth-failed');
  auth.stop();
});

test('a server TLS message declaring more than the reassembly limit is a protocol error', async () => {
  const ctx = fakeContext('alice', 'x');
  const auth = new EapAuthenticator(ctx, eapOptions('eap-tls', ctx, setup({})));
  auth.start();
  auth.receive(packet(1, 1, Buffer.of(13), Buffer.of(0x20)));
  await turns(50);
  const big = Buffer.alloc(5);
  big[0] = 0xc0;
  big.writeUInt32BE(10_000_000, 1);
  auth.receive(packet(1, 2, Buffer.of(13), big, Buffer.alloc(100)));
  assert.equal(ctx.failures[0]?.code, 'protocol-error');
  assert.match(ctx.failures[0]?.detail ?? '', /exceeds the 262144-byte limit/);
  auth.stop();
});

test('Nak: EAP-TLS only answers an MSCHAPv2 Request with Nak <TLS>; with both allowed, in profile order', () => {
  const ctx = fakeContext('alice', 'x');
  const only = new EapAuthenticator(ctx, eapOptions('eap-tls', ctx, setup({})));
  only.receive(packet(1, 7, Buffer.of(26), Buffer.alloc(20)));
  assert.deepEqual([...(ctx.sent[0]?.packet ?? [])], [2, 7, 0, 6, 3, 13]);
  const ctx2 = fakeContext('alice', 'x');
  const both = new EapAuthenticator(ctx2, eapOptions('eap-tls', ctx2, setup({ methods: ['eap-tls', 'eap-mschapv2'] })));
  both.receive(packet(1, 8, Buffer.of(4), Buffer.alloc(5))); // MD5-Challenge
  assert.deepEqual([...(ctx2.sent[0]?.packet ?? [])], [2, 8, 0, 7, 3, 13, 26]);
  only.stop();
  both.stop();
});

test('LCP: the server\'s "EAP" is Acked as EAP-TLS when that is the profile\'s first EAP method', async () => {
  const { AuthNegotiation } = await import('../../../../../main/engine/ppp/lcp-auth.js');
  const eap = { type: 3, data: Buffer.of(0xc2, 0x27) };
  assert.deepEqual(new AuthNegotiation(['eap-tls']).judge(eap, 1, false), { kind: 'ack', method: 'eap-tls' });
  assert.deepEqual(new AuthNegotiation(['eap-tls', 'eap-mschapv2']).judge(eap, 1, false), {
    kind: 'ack',
    method: 'eap-tls',
  });
  assert.deepEqual(new AuthNegotiation(['eap-mschapv2']).judge(eap, 1, false), { kind: 'ack', method: 'eap-mschapv2' });
  const mschapFirst = new AuthNegotiation(['mschapv2', 'eap-tls']).judge(eap, 1, false);
  assert.equal(mschapFirst.kind, 'nak');
});
