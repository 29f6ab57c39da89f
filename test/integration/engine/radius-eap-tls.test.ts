// EAP-TLS with a client certificate decided by a real FreeRADIUS behind the strict peer (RRAS with
// NPS): the binding verifies only if the client's EAP-TLS MSK equals the one FreeRADIUS put in the
// Access-Accept's MS-MPPE keys; a certificate from a CA FreeRADIUS does not trust is refused by it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freeradiusAvailable, startFreeRadius, type FreeRadius } from '../../harness/freeradius.js';
import { clientCredentials, type ClientCredentials } from '../../peers/certificates.js';
import { personas } from '../../peers/personas.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, failureOf, newClient, withPeer } from './helpers.js';

const available = freeradiusAvailable();

describe('EAP-TLS through the strict peer and FreeRADIUS', { skip: available.ok ? false : available.why }, () => {
  let radius: FreeRadius;
  let client: ClientCredentials;
  before(async () => {
    client = clientCredentials('testuser');
    radius = await startFreeRadius({ defaultEapType: 'tls', clientCaPem: client.caPem });
  });
  after(async () => {
    await radius.stop();
    await assertNothingLeftOpen();
  });

  const rras = () => [
    personas.rrasLike(),
    { auth: { methods: ['eap' as const], radius: { host: radius.host, port: radius.port, secret: radius.secret } } },
  ];

  test('a certificate FreeRADIUS trusts connects; the binding verifies with the MPPE keys from the Accept', async () => {
    const peer = await startStrictPeer(rras());
    await withPeer(peer, async () => {
      // The inner certificate is judged like the outer one (same pin: FreeRADIUS presents the peer's leaf).
      const c = newClient(peer, {
        authMethods: ['eap-tls'],
        clientCertificate: { pfx: client.pfx, passphrase: client.passphrase },
      });
      const outcome = await c.session.connect();
      assert.ok(outcome.ok, `${explain(peer, c, outcome)}\nradius:\n${radius.output().slice(-4000)}`);
      assert.deepEqual(
        await peer.waitFor('call-connected'),
        { kind: 'call-connected', ok: true, hash: 'sha256' },
        explain(peer, c),
      );
      assert.deepEqual(peer.violations, [], explain(peer, c));
      await c.session.disconnect();
    });
  });

  test('with a 576-byte server MRU our certificate flight goes in acknowledged fragments, and FreeRADIUS reassembles it', async () => {
    const peer = await startStrictPeer([
      ...rras(),
      {
        lcp: {
          request: [{ kind: 'mru', value: 576 }, { kind: 'auth' }, { kind: 'magic' }],
          maxMru: 1500,
          mustNotAck: [],
        },
      },
    ]);
    await withPeer(peer, async () => {
      const c = newClient(peer, {
        authMethods: ['eap-tls'],
        clientCertificate: { pfx: client.pfx, passphrase: client.passphrase },
      });
      const outcome = await c.session.connect();
      assert.ok(outcome.ok, explain(peer, c, outcome));
      assert.deepEqual(
        await peer.waitFor('call-connected'),
        { kind: 'call-connected', ok: true, hash: 'sha256' },
        explain(peer, c),
      );
      const sizes = peer.events.flatMap((e) =>
        e.kind === 'radius' && e.direction === 'sent' ? [Number(/EAP (\d+) bytes/.exec(e.summary)?.[1] ?? 0)] : [],
      );
      assert.ok(
        sizes.every((n) => n <= 576),
        `an EAP Response above the MRU: ${sizes.join(' ')}`,
      );
      assert.ok(
        sizes.filter((n) => n > 500).length >= 2,
        `expected at least two near-full fragments: ${sizes.join(' ')}`,
      );
      await c.session.disconnect();
    });
  });

  test('a certificate from another CA is refused by FreeRADIUS and explained', async () => {
    const stranger = clientCredentials('testuser');
    const peer = await startStrictPeer(rras());
    await withPeer(peer, async () => {
      const c = newClient(peer, {
        authMethods: ['eap-tls'],
        clientCertificate: { pfx: stranger.pfx, passphrase: stranger.passphrase },
      });
      const f = failureOf(peer, c, await c.session.connect());
      assert.equal(f.code, 'auth-failed', explain(peer, c));
      assert.match(f.message, /certificate/);
      const result = await peer.waitFor('auth-result');
      assert.equal(result.ok, false);
      assert.match(result.why ?? '', /Access-Reject/);
      assert.equal(peer.all('call-connected').length, 0);
    });
  });
});
