// Mutual TLS with a client certificate kept the way a profile keeps it: the PEM certificate in a file,
// its private key in the keychain ('client-key'), loaded by the trust service and offered at the SSTP
// endpoint of a strict peer that requires a certificate from its client CA.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCredentialStore } from '../../../main/services/credentials/memory-store.js';
import { importPrivateKey } from '../../../main/services/trust/pem-client.js';
import { loadClientCertificate } from '../../../main/services/trust/pkcs12.js';
import { clientCredentials } from '../../peers/certificates.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, failureOf, newClient, withPeer } from './helpers.js';

const ID = 'c0ffee00-0000-4000-8000-00000000a11c';

async function pemProfileCertificate(dir: string, creds: ReturnType<typeof clientCredentials>) {
  const file = join(dir, `${creds.certificate.sha256.slice(0, 8)}.crt`);
  await writeFile(file, creds.certificate.certPem);
  const store = new MemoryCredentialStore();
  const key = importPrivateKey(creds.certificate.keyPem, undefined, 'client.key');
  assert.ok(key.ok);
  assert.ok((await store.set(ID, 'client-key', key.keyPem)).ok);
  const loaded = await loadClientCertificate(
    { id: ID, tls: { minVersion: 'TLSv1.2', insecure: false, clientCertificate: { certificateFile: file } } },
    store,
  );
  assert.ok(loaded.ok && loaded.value, JSON.stringify(loaded));
  return { pfx: loaded.value.pfx, passphrase: loaded.value.passphrase };
}

describe('mutual TLS with a PEM client certificate from the keychain', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await assertNothingLeftOpen();
  });

  test('the strict peer that requires a client certificate accepts it and the tunnel comes up', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-mtls-'));
    const creds = clientCredentials('pem-client');
    const peer = await startStrictPeer({ tls: { requireClientCertificateCaPem: creds.caPem } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { clientCertificate: await pemProfileCertificate(dir, creds) });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const accepted = await peer.waitFor('tls-accepted');
      assert.equal(accepted.clientCertificateSubject, 'CN=pem-client');
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('a certificate from another CA is refused by the server: a typed TLS failure that names the client certificate', async () => {
    dir ||= await mkdtemp(join(tmpdir(), 'cw-mtls-'));
    const trusted = clientCredentials('trusted');
    const stranger = clientCredentials('stranger');
    const peer = await startStrictPeer({ tls: { requireClientCertificateCaPem: trusted.caPem } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { clientCertificate: await pemProfileCertificate(dir, stranger) });
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'tls-failed', explain(peer, client, outcome));
      assert.equal(f.phase, 'tls');
      assert.match(f.message, /client certificate/);
      assert.deepEqual(peer.all('http-request'), []);
    });
  });
});
