// The peer scripted like the servers Causeway meets: the client must come up against each, refusing
// what it cannot honour and never waiting on IPv6 for IPv4.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { personas } from '../../peers/personas.js';
import { LCP_OPT } from '../../peers/script.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { assertNothingLeftOpen, explain, newClient, waitForSessionEvent, withPeer } from './helpers.js';

describe('server personas', () => {
  after(() => assertNothingLeftOpen());

  test('RRAS-like: MS-CHAPv2-only profile NAKs EAP, refuses Callback and MRRU, binds correctly', async () => {
    const peer = await startStrictPeer(personas.rrasLike());
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2'], ipv6: true });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(outcome.info.authMethod, 'mschapv2');
      assert.deepEqual(peer.all('auth-nak'), [{ kind: 'auth-nak', offered: 'eap', suggested: 'mschapv2' }]);
      const refused = peer.all('ppp-received').filter((e) => /^LCP ConfRej/.test(e.summary));
      assert.ok(
        refused.some((e) => /callback/.test(e.summary) && /mrru/.test(e.summary)),
        explain(peer, client),
      );
      assert.equal((await peer.waitFor('call-connected')).ok, true);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      assert.deepEqual(outcome.info.ipv4.dns, ['172.16.50.10', '172.16.50.11']);
      await client.session.disconnect();
    });
  });

  test('RRAS-like: a profile that allows EAP-MSCHAPv2 takes EAP first', async () => {
    const peer = await startStrictPeer(personas.rrasLike());
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['eap-mschapv2', 'mschapv2'] });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(outcome.info.authMethod, 'eap-mschapv2');
      assert.equal((await peer.waitFor('call-connected')).ok, true);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('accel-ppp-like: PAP offered first, MRU NAKed to 1452, DNS rejected, IPv6CP Protocol-Rejected', async () => {
    const peer = await startStrictPeer(personas.accelPppLike());
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2', 'pap'], ipv6: true, mru: 1500 });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      // The profile prefers MS-CHAPv2 but allows PAP; accepting the server's offer is fine either way.
      assert.ok(outcome.info.authMethod === 'pap' || outcome.info.authMethod === 'mschapv2');
      assert.equal(outcome.info.mru, 1452, 'the client accepted the NAKed MRU');
      assert.deepEqual(outcome.info.ipv4.dns, [], 'up without DNS');
      assert.equal(outcome.info.ipv4.local, '192.168.100.7');
      const unavailable = await waitForSessionEvent(client, 'ipv6-unavailable');
      assert.ok(unavailable);
      assert.equal(client.session.tunnel.ipv6Up, false);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('accel-ppp-like: an MS-CHAPv2-only profile NAKs PAP toward MS-CHAPv2', async () => {
    const peer = await startStrictPeer(personas.accelPppLike());
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2'] });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(outcome.info.authMethod, 'mschapv2');
      assert.deepEqual(peer.all('auth-nak')[0], { kind: 'auth-nak', offered: 'pap', suggested: 'mschapv2' });
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('SoftEther-like: waits for the client, rejects Magic-Number, SHA-256 only', async () => {
    const peer = await startStrictPeer(personas.softetherLike());
    await withPeer(peer, async () => {
      // The CLI's default preference: EAP is allowed but MS-CHAPv2 comes first, so EAP (which this
      // server would run as EAP-TLS) is NAKed at LCP.
      const client = newClient(peer, { authMethods: ['mschapv2', 'eap-mschapv2', 'pap', 'chap'] });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(outcome.info.authMethod, 'mschapv2');
      assert.deepEqual(peer.all('auth-nak'), [{ kind: 'auth-nak', offered: 'eap', suggested: 'mschapv2' }]);
      assert.equal(outcome.info.ipv4.peer, '192.168.30.1');
      assert.deepEqual(outcome.info.ipv4.dns, ['192.168.30.1'], 'DNS2 rejected, DNS1 kept');
      assert.deepEqual(await peer.waitFor('call-connected'), { kind: 'call-connected', ok: true, hash: 'sha256' });
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('rejected DNS options: the tunnel comes up without DNS', async () => {
    const peer = await startStrictPeer({ ipcp: { rejectDns: true } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.deepEqual(outcome.info.ipv4.dns, []);
      assert.equal((await peer.waitFor('ipcp-opened')).dnsRequested, true);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('a server that assigns a loopback address: a typed IPCP failure naming it, the call aborted', async () => {
    const peer = await startStrictPeer({ ipcp: { clientAddress: '127.0.0.9' } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.equal(outcome.ok, false, explain(peer, client, outcome));
      if (!outcome.ok) {
        assert.equal(outcome.failure.phase, 'ipcp');
        assert.equal(outcome.failure.code, 'ppp-negotiation-failed');
        assert.match(outcome.failure.message, /assigned 127\.0\.0\.9 to this computer, which is a loopback address/);
      }
      assert.equal(client.session.tunnel.ipv4, undefined, 'no address was taken');
    });
  });

  test('a server that pushes a loopback DNS server: it is ignored, the usable one kept', async () => {
    const peer = await startStrictPeer({ ipcp: { dns: ['127.0.0.1', '10.77.0.53'] } });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.deepEqual(outcome.info.ipv4.dns, ['10.77.0.53']);
      assert.match(client.transcript(), /ignoring unusable DNS servers from the server: 127\.0\.0\.1/);
      await client.session.disconnect();
    });
  });

  test('IPv6CP alongside: IPv4 comes up while IPv6CP is still unanswered, IPv6 follows when it is', async () => {
    const peer = await startStrictPeer({ ipv6cp: { mode: 'hold' } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { ipv6: true });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      assert.equal(client.session.tunnel.ipv6Up, false, 'IPv4 did not wait for IPv6CP');
      assert.ok(
        peer.all('ppp-received').some((e) => e.summary === 'IPV6CP (held)'),
        'the client had asked for IPv6CP',
      );
      const up = waitForSessionEvent(client, 'ipv6-up');
      peer.releaseIpv6cp();
      await up;
      assert.equal(client.session.tunnel.ipv6Up, true);
      const order = client.events.map((e) => e.type).filter((t) => t === 'ipv4-up' || t === 'ipv6-up');
      assert.deepEqual(order, ['ipv4-up', 'ipv6-up']);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('IPv6CP negotiated normally when the server offers it', async () => {
    const peer = await startStrictPeer({ ipv6cp: { mode: 'negotiate' } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { ipv6: true });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const opened = await peer.waitFor('ipv6cp-opened');
      assert.match(opened.clientInterfaceId, /^[0-9a-f]{16}$/);
      await waitForSessionEvent(client, 'ipv6-up');
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('PFC, ACFC and unknown LCP options from the server are refused; an Endpoint Discriminator does not upset LCP', async () => {
    const peer = await startStrictPeer({
      lcp: {
        request: [
          { kind: 'auth' },
          { kind: 'pfc' },
          { kind: 'acfc' },
          { kind: 'endpoint' },
          { kind: 'raw', type: 0x42, data: Buffer.from('cafe', 'hex') },
          { kind: 'magic' },
        ],
        // SSTP frames always carry FF 03 and a 2-byte protocol: the client must refuse both compressions.
        mustNotAck: [LCP_OPT.PFC, LCP_OPT.ACFC, 0x42],
      },
    });
    await withPeer(peer, async () => {
      const client = newClient(peer);
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome));
      const rej = peer.all('ppp-received').find((e) => e.summary.startsWith('LCP ConfRej'));
      assert.ok(rej?.summary.includes('type 66 cafe'), `unknown option rejected verbatim: ${rej?.summary}`);
      assert.deepEqual(peer.violations, [], explain(peer, client));
      await client.session.disconnect();
    });
  });

  test('no common authentication method: the server offers only PAP, the profile allows only MS-CHAPv2', async () => {
    const peer = await startStrictPeer({ auth: { methods: ['pap'] } });
    await withPeer(peer, async () => {
      const client = newClient(peer, { authMethods: ['mschapv2'] });
      const outcome = await client.session.connect();
      assert.equal(outcome.ok, false, explain(peer, client, outcome));
      if (outcome.ok) return;
      assert.equal(outcome.failure.code, 'auth-method-refused', explain(peer, client, outcome));
      assert.match(outcome.failure.message, /PAP/);
      assert.deepEqual(peer.all('auth-nak'), [{ kind: 'auth-nak', offered: 'pap', suggested: 'mschapv2' }]);
      await peer.waitFor('closed');
    });
  });
});
