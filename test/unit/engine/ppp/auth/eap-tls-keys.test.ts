// The EAP-TLS MSK recomputed from first principles, not through node's exporter: from the server's
// key log (TLS 1.2 master secret; TLS 1.3 exporter secret) with our own TLS 1.2 PRF (RFC 5246 §5)
// and TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1, §7.5), following RFC 5216 §2.3 and RFC 9190 §2.3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { EapAuthenticator } from '../../../../../main/engine/ppp/auth/eap.js';
import { eapOptions } from '../../../../../main/engine/ppp/auth/eap-setup.js';
import { makeTestCa } from '../../../../harness/softether-certs.js';
import { EapTlsTestServer } from './eap-tls-test-server.js';
import { fakeContext } from './fake-context.js';

const serverCa = makeTestCa('keys server CA');
const server = serverCa.issue({ commonName: 'eap.test', altNames: ['DNS:eap.test'], purpose: 'server' });
const userCa = makeTestCa('keys user CA');
const alice = userCa.issue({ commonName: 'alice' });

function pHash(hash: string, secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let a = seed;
  let size = 0;
  while (size < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret)
      .update(Buffer.concat([a, seed]))
      .digest();
    out.push(block);
    size += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    Buffer.of(length >> 8, length & 0xff, full.length),
    full,
    Buffer.of(context.length),
    context,
  ]);
  return pHashExpand(hash, secret, info, length);
}

// HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i).
function pHashExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(hash, prk)
      .update(Buffer.concat([t, info, Buffer.of(i)]))
      .digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

function suiteHash(cipher: string | undefined): string {
  return /SHA384$/.test(cipher ?? '') ? 'sha384' : 'sha256';
}

function keylogSecret(lines: readonly string[], name: string): { random: Buffer; secret: Buffer } {
  const line = lines.find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no ${name} in the key log`);
  const [, random, secret] = line.split(' ');
  return { random: Buffer.from(random ?? '', 'hex'), secret: Buffer.from(secret ?? '', 'hex') };
}

async function signIn(maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ hlak: Buffer; srv: EapTlsTestServer }> {
  const ctx = fakeContext('alice', 'x');
  const srv = new EapTlsTestServer({
    certPem: server.certPem,
    keyPem: server.keyPem,
    clientCaPem: userCa.certPem,
    maxVersion,
  });
  const auth = new EapAuthenticator(
    ctx,
    eapOptions('eap-tls', ctx, {
      authMethods: ['eap-tls'],
      clientCertificate: { pfx: alice.pfx('pw'), passphrase: 'pw' },
      trust: { policy: { caPem: serverCa.certPem } },
    }),
  );
  srv.start();
  let delivered = 0;
  for (let round = 0; round < 50; round++) {
    const p = srv.outbox.shift();
    if (p === undefined) break;
    auth.receive(p);
    for (let t = 0; t < 500 && ctx.sent.length === delivered && ctx.successes.length + ctx.failures.length === 0; t++)
      await new Promise((r) => setImmediate(r));
    while (delivered < ctx.sent.length) await srv.receive((ctx.sent[delivered++] as { packet: Buffer }).packet);
  }
  auth.stop();
  srv.close();
  assert.deepEqual(ctx.failures, []);
  const hlak = ctx.successes[0]?.hlak;
  assert.ok(hlak);
  return { hlak, srv };
}

test('TLS 1.2: HLAK = first 32 bytes of PRF(master, "client EAP encryption", client.random ‖ server.random)', async () => {
  const { hlak, srv } = await signIn('TLSv1.2');
  const { random: clientRandom, secret: master } = keylogSecret(srv.keylog, 'CLIENT_RANDOM');
  // The server's first flight starts with the ServerHello record: 5 (record) + 4 (handshake) + 2 (version).
  const flight = srv.flights[0];
  assert.ok(flight && flight[0] === 0x16 && flight[5] === 0x02, 'first server flight is a ServerHello');
  const serverRandom = flight.subarray(11, 43);
  const label = Buffer.from('client EAP encryption', 'ascii');
  const keys = pHash(suiteHash(srv.cipher), master, Buffer.concat([label, clientRandom, serverRandom]), 128);
  assert.equal(hlak.toString('hex'), keys.subarray(0, 32).toString('hex'));
});

test('TLS 1.3: HLAK = first 32 bytes of TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", 0x0D, 128)', async () => {
  const { hlak, srv } = await signIn('TLSv1.3');
  const hash = suiteHash(srv.cipher);
  const { secret: exporterMaster } = keylogSecret(srv.keylog, 'EXPORTER_SECRET');
  const empty = createHash(hash).update(Buffer.alloc(0)).digest();
  const len = createHash(hash).digest().length;
  const derived = hkdfExpandLabel(hash, exporterMaster, 'EXPORTER_EAP_TLS_Key_Material', empty, len);
  const keys = hkdfExpandLabel(hash, derived, 'exporter', createHash(hash).update(Buffer.of(0x0d)).digest(), 128);
  assert.equal(hlak.toString('hex'), keys.subarray(0, 32).toString('hex'));
});
