// PEAPv0 (EAP-MSCHAPv2 inside) decided by a real FreeRADIUS behind the strict peer acting as RRAS
// with NPS. The peer checks CALL_CONNECTED with the HLAK made of the Access-Accept's MS-MPPE keys,
// so the binding verifies only if the client's PEAP key derivation agrees with FreeRADIUS's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EapTrust } from '../../../main/engine/config.js';
import { EapAuthenticator } from '../../../main/engine/ppp/auth/eap.js';
import { PeapMethod } from '../../../main/engine/ppp/auth/peap.js';
import type { AuthenticatorFactory } from '../../../main/engine/ppp/auth/authenticator.js';
import { freeradiusAvailable, startFreeRadius, type FreeRadius } from '../../harness/freeradius.js';
import { selfSignedServerCertificate } from '../../peers/certificates.js';
import { personas } from '../../peers/personas.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, failureOf, newClient, withPeer } from './helpers.js';

const available = freeradiusAvailable();

/** The EAP dispatcher with PEAP as its only method, as the profile's 'eap-peap' builds it. */
function peapOnly(trust: EapTrust): AuthenticatorFactory {
  return (_method, ctx) =>
    new EapAuthenticator(ctx, {
      mschapv2: false,
      methods: [{ type: 25, create: (host) => new PeapMethod(host, { credentials: ctx.credentials, trust: { policy: trust, ...(trust.serverName ? { serverName: trust.serverName } : {}) } }) }],
    });
}

describe('PEAP through the strict peer and FreeRADIUS', { skip: available.ok ? false : available.why }, () => {
  let radius: FreeRadius;
  before(async () => {
    radius = await startFreeRadius({ defaultEapType: 'peap' });
  });
  after(async () => {
    await radius.stop();
    await assertNothingLeftOpen();
  });

  const rras = () => [personas.rrasLike(), { auth: { methods: ['eap' as const], radius: { host: radius.host, port: radius.port, secret: radius.secret } } }];
  const tail = (): string => `\nradius:\n${radius.output().slice(-5000)}`;

  test('the right password connects; the binding verifies with the MPPE keys FreeRADIUS derived', async () => {
    const peer = await startStrictPeer(rras());
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['eap-mschapv2'], deps: { authenticatorFactory: peapOnly({ caPem: radius.caPem, serverName: 'sstp.strict.test' }) } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome) + tail());
      assert.deepEqual(await peer.waitFor('call-connected'), { kind: 'call-connected', ok: true, hash: 'sha256' }, explain(peer, client));
      assert.deepEqual(peer.violations, [], explain(peer, client));
      // The tunnel really ran: FreeRADIUS's log shows the inner EAP-MSCHAPv2 in inner-tunnel.
      assert.match(radius.output(), /Virtual server inner-tunnel received request/);
      assert.match(client.transcript(), /PEAP: tunnel up \(TLSv1\.2\)/);
      await client.session.disconnect();
    });
  });

  test('a wrong password is refused by FreeRADIUS inside the tunnel and explained', async () => {
    const peer = await startStrictPeer(rras());
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['eap-mschapv2'], password: 'wrong-password', deps: { authenticatorFactory: peapOnly({ caPem: radius.caPem }) } });
      const f = failureOf(peer, client, await client.session.connect());
      assert.equal(f.code, 'auth-failed', explain(peer, client) + tail());
      assert.match(f.message, /PEAP/);
      assert.match(f.message, /wrong user name or password/);
      assert.match(f.detail ?? '', /E=691/);
      const result = await peer.waitFor('auth-result');
      assert.equal(result.ok, false);
      assert.match(result.why ?? '', /Access-Reject/);
      assert.equal(peer.all('call-connected').length, 0);
    });
  });

  test('an untrusted EAP server certificate stops before the password leaves, naming its fingerprint', async () => {
    const mark = radius.output().length;
    const peer = await startStrictPeer(rras());
    await withPeer(peer, async () => {
      const stranger = selfSignedServerCertificate('other-ca.test');
      const client = newClient(peer, { authMethods: ['eap-mschapv2'], deps: { authenticatorFactory: peapOnly({ caPem: stranger.certPem }) } });
      const f = failureOf(peer, client, await client.session.connect());
      assert.equal(f.code, 'server-auth-failed', explain(peer, client));
      const fp = radius.serverCertificate.sha256.toUpperCase().match(/../g)?.join(':') ?? '';
      assert.ok(f.message.includes(fp), f.message);
      assert.match(f.message, /not trusted/);
      // Nothing inside the tunnel reached FreeRADIUS: the client stopped at the server's certificate.
      assert.doesNotMatch(radius.output().slice(mark), /inner-tunnel received request/);
      assert.match(radius.output().slice(mark), /Received Access-Request/);
    });
  });
});
