// Each authentication method end to end against the strict peer, which verifies the client's
// credentials proof and then its crypto binding with the HLAK it computed itself.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthMethod } from '../../../main/engine/config.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import type { PeerAuthMethod } from '../../peers/script.js';
import { assertNothingLeftOpen, explain, failureOf, newClient, withPeer } from './helpers.js';

const METHODS: readonly { readonly client: AuthMethod; readonly peer: PeerAuthMethod; readonly keyed: boolean }[] = [
  { client: 'pap', peer: 'pap', keyed: false },
  { client: 'chap', peer: 'chap', keyed: false },
  { client: 'mschapv2', peer: 'mschapv2', keyed: true },
  { client: 'eap-mschapv2', peer: 'eap', keyed: true },
];

describe('authentication against the strict peer', () => {
  after(() => assertNothingLeftOpen());

  for (const m of METHODS) {
    test(`${m.client}: connects, and the peer verifies CALL_CONNECTED (${m.keyed ? 'MPPE-derived' : 'zero'} HLAK)`, async () => {
      const peer = await startStrictPeer({ auth: { methods: [m.peer] } });
      await withPeer(peer, async () => {
        const client = newClient(peer, { authMethods: [m.client] });
        const outcome = await client.session.connect();
        assert.ok(outcome.ok, explain(peer, client, outcome));
        assert.equal(outcome.info.authMethod, m.client);
        assert.equal(outcome.info.ipv4.local, peer.script.ipcp.clientAddress);
        assert.equal(outcome.info.ipv4.peer, peer.script.ipcp.serverAddress);
        assert.deepEqual(outcome.info.ipv4.dns, peer.script.ipcp.dns);
        const bound = await peer.waitFor('call-connected');
        assert.deepEqual(bound, { kind: 'call-connected', ok: true, hash: 'sha256' }, explain(peer, client));
        assert.deepEqual(peer.violations, [], explain(peer, client));
        await client.session.disconnect();
        assert.equal(await client.session.closed, null);
      });
    });
  }

  test('a SHA-1-only server gets a SHA-1 binding', async () => {
    const peer = await startStrictPeer({ sstp: { hashBitmask: 0x01 }, auth: { methods: ['mschapv2'] } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2'] });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.deepEqual(await peer.waitFor('call-connected'), { kind: 'call-connected', ok: true, hash: 'sha1' });
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  for (const m of METHODS) {
    test(`${m.client}: a wrong password is auth-failed, and no CALL_CONNECTED is sent`, async () => {
      const peer = await startStrictPeer({ auth: { methods: [m.peer] } });
      await withPeer(peer, async () => {
        const client = newClient(peer, { authMethods: [m.client], password: 'not-the-password' });
        const outcome = await client.session.connect();
        const f = failureOf(peer, client, outcome);
        assert.equal(f.code, 'auth-failed', explain(peer, client, outcome));
        assert.equal(f.phase, 'auth');
        assert.doesNotMatch(`${f.message} ${f.detail ?? ''} ${client.transcript()}`, /not-the-password/);
        const result = await peer.waitFor('auth-result');
        assert.equal(result.ok, false);
        assert.deepEqual(peer.all('call-connected'), [], explain(peer, client));
        await peer.waitFor('closed');
      });
    });
  }

  for (const m of METHODS.filter((x) => x.keyed)) {
    test(`${m.client}: a server whose S= does not prove the password is refused (server-auth-failed)`, async () => {
      const peer = await startStrictPeer({ auth: { methods: [m.peer], wrongAuthenticatorResponse: true } });
      await withPeer(peer, async () => {
        const client = newClient(peer, { authMethods: [m.client] });
        const outcome = await client.session.connect();
        const f = failureOf(peer, client, outcome);
        assert.equal(f.code, 'server-auth-failed', explain(peer, client, outcome));
        // The peer sent its Success; the client must not trust it, so it must not bind to this server.
        await peer.waitFor('ppp-sent', (e) => /MSCHAPv2 Success|MS-CHAPv2 Success/.test(e.summary));
        assert.deepEqual(peer.all('call-connected'), [], explain(peer, client));
        await peer.waitFor('closed');
      });
    });
  }

  test('a user name with a domain prefix authenticates with MS-CHAPv2 (the hash uses the bare name)', async () => {
    const peer = await startStrictPeer({ users: { 'CORP\\testuser': 'testpass' }, auth: { methods: ['mschapv2'] } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2'], user: 'CORP\\testuser' });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('a non-ASCII password works with MS-CHAPv2 (proper UTF-16LE)', async () => {
    const peer = await startStrictPeer({ users: { testuser: 'pässwörd-€' }, auth: { methods: ['mschapv2'] } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2'], password: 'pässwörd-€' });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });
});
