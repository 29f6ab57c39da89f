// How the client judges the peer's certificate: untrusted without a pin or CA, pin mismatch, a CA
// file, and a client certificate for mutual TLS. The leaf the client keeps is the one it binds to.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientCredentials } from '../../peers/certificates.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, colonFingerprint, explain, failureOf, newClient, withPeer } from './helpers.js';

describe('certificate trust against the strict peer', () => {
  after(() => assertNothingLeftOpen());

  test('an untrusted certificate without a pin fails with certificate-untrusted and the certificate details', async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer, { trust: {} });
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'certificate-untrusted', explain(peer, client, outcome));
      assert.equal(f.phase, 'tls');
      assert.ok(f.certificate, 'the failure carries the certificate for a trust prompt');
      assert.equal(f.certificate.sha256, colonFingerprint(peer.certSha256));
      assert.match(f.certificate.subject, /CN=sstp\.strict\.test/);
      assert.match(f.certificate.issuer, /Causeway Strict Peer Test CA/);
      assert.ok(f.certificate.subjectAltNames.includes('IP:127.0.0.1'), f.certificate.subjectAltNames.join(','));
      assert.ok(f.message.includes(colonFingerprint(peer.certSha256)), 'the message shows the fingerprint to compare');
      // Nothing was said to an untrusted server.
      assert.deepEqual(peer.all('http-request'), []);
    });
  });

  test('a pin that does not match fails with certificate-pin-mismatch', async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer, { trust: { pinSha256: `sha256:${'ab'.repeat(32)}` } });
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'certificate-pin-mismatch', explain(peer, client, outcome));
      assert.equal(f.certificate?.sha256, colonFingerprint(peer.certSha256));
      assert.deepEqual(peer.all('http-request'), []);
    });
  });

  test('the issuing CA given as a CA file is trusted (name checked against the IP SAN)', async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer, { trust: { caPem: peer.caPem } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('the CA file does not make the certificate valid for a name it does not carry', async () => {
    const peer = await startStrictPeer();
    await withPeer(peer, async () => {
      const client = newClient(peer, { trust: { caPem: peer.caPem }, sni: 'vpn.elsewhere.test' });
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'certificate-untrusted', explain(peer, client, outcome));
      assert.match(f.message, /vpn\.elsewhere\.test/);
      assert.deepEqual(peer.all('http-request'), []);
    });
  });

  test('mutual TLS: a server that demands a client certificate gets it', async () => {
    const creds = clientCredentials();
    const peer = await startStrictPeer({ tls: { requireClientCertificateCaPem: creds.caPem } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { clientCertificate: { pfx: creds.pfx, passphrase: creds.passphrase } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const accepted = await peer.waitFor('tls-accepted');
      assert.equal(accepted.clientCertificateSubject, 'CN=causeway-client');
      await client.session.disconnect();
    });
  });

  // TLS 1.3 finishes the client's handshake before the server checks the certificate, so the
  // refusal arrives as an alert on the first read, while the session is already in its http phase.
  test('mutual TLS: without a client certificate the failure says a client certificate is required', async () => {
    const creds = clientCredentials();
    const peer = await startStrictPeer({ tls: { requireClientCertificateCaPem: creds.caPem } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      const f = failureOf(peer, client, outcome);
      assert.equal(f.code, 'tls-failed', explain(peer, client, outcome));
      assert.match(f.message, /client certificate/i);
      assert.deepEqual(peer.all('http-request'), []);
    });
  });
});

describe('dialling the protected address', () => {
  after(() => assertNothingLeftOpen());

  test('with an address given, the session dials it and still names the server in SNI and the HTTP Host', async () => {
    // The name does not resolve anywhere: only dialling the given address can reach the peer.
    const peer = await startStrictPeer({ http: { expectedHost: 'vpn.round-robin.invalid' } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { host: 'vpn.round-robin.invalid', address: '127.0.0.1' });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.match(client.transcript(), /connecting to vpn\.round-robin\.invalid:\d+ at 127\.0\.0\.1/);
      await client.session.disconnect();
    });
  });
});
