// EAP-MSCHAPv2 decided by a real FreeRADIUS: the strict peer relays EAP over RADIUS as RRAS does to
// NPS and checks CALL_CONNECTED with the HLAK made of the Access-Accept's MS-MPPE keys, so the
// binding only verifies if the client's key derivation agrees with FreeRADIUS's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freeradiusAvailable, startFreeRadius, type FreeRadius } from '../../harness/freeradius.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { personas } from '../../peers/personas.js';
import { assertNothingLeftOpen, explain, failureOf, newClient, withPeer } from './helpers.js';

const available = freeradiusAvailable();

describe('EAP-MSCHAPv2 through the strict peer and FreeRADIUS', { skip: available.ok ? false : available.why }, () => {
  let radius: FreeRadius;
  before(async () => {
    // FreeRADIUS proposes PEAP first; a client doing only EAP-MSCHAPv2 NAKs to it, as Windows would.
    radius = await startFreeRadius({ defaultEapType: 'peap' });
  });
  after(async () => {
    await radius.stop();
    await assertNothingLeftOpen();
  });

  const relayTo = (): { auth: { methods: ['eap']; radius: { host: string; port: number; secret: string } } } => ({
    auth: { methods: ['eap'], radius: { host: radius.host, port: radius.port, secret: radius.secret } },
  });

  test('the right password connects, and the binding verifies with the RADIUS MPPE keys', async () => {
    const peer = await startStrictPeer([personas.rrasLike(), relayTo()]);
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['eap-mschapv2'] });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, `${explain(peer, client, outcome)}\nradius:\n${radius.output().slice(-4000)}`);
      assert.equal(outcome.info.authMethod, 'eap-mschapv2');
      assert.deepEqual(
        await peer.waitFor('call-connected'),
        { kind: 'call-connected', ok: true, hash: 'sha256' },
        explain(peer, client),
      );
      const radiusCodes = peer.events.flatMap((e) =>
        e.kind === 'radius' && e.direction === 'received' ? [e.code] : [],
      );
      assert.equal(radiusCodes.at(-1), 'Access-Accept');
      assert.ok(radiusCodes.filter((c) => c === 'Access-Challenge').length >= 2, radiusCodes.join(' '));
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('a wrong password is refused by FreeRADIUS and reported as auth-failed', async () => {
    const peer = await startStrictPeer([personas.rrasLike(), relayTo()]);
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['eap-mschapv2'], password: 'not-the-password' });
      const f = failureOf(peer, client, await client.session.connect());
      assert.equal(f.code, 'auth-failed', explain(peer, client));
      assert.match(f.message, /user name or password/);
      const result = await peer.waitFor('auth-result');
      assert.equal(result.ok, false);
      assert.match(result.why ?? '', /Access-Reject/);
      assert.equal(peer.all('call-connected').length, 0);
    });
  });
});
