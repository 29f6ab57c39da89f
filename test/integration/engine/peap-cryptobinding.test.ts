// PEAPv0 with cryptobinding, as Windows NPS runs it, against hostapd's real PEAP server behind the
// strict peer (RRAS-with-NPS relay). hostapd checks our Crypto-Binding TLV and hands the relay MPPE
// keys from the cryptobinding-derived MSK; the peer verifies CALL_CONNECTED with them. So the test
// passes only if our IPMK/CMK, Compound MAC and session key all agree with hostapd's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostapdAvailable, startHostapdRadius, type HostapdRadius } from '../../harness/radius-hostapd.js';
import { personas } from '../../peers/personas.js';
import { startStrictPeer } from '../../peers/strict-sstp-server.js';
import { SstpSession } from '../../../main/engine/session.js';
import type { LogEntry } from '../../../main/engine/log.js';
import {
  FAST_TIMERS,
  assertNothingLeftOpen,
  explain,
  failureOf,
  sessionConfig,
  withPeer,
  type Client,
} from './helpers.js';
import type { StrictPeer } from '../../peers/strict-sstp-server.js';

const available = hostapdAvailable();

function peapClient(peer: StrictPeer, caPem: string, password?: string): Client {
  const logs: LogEntry[] = [];
  const config = {
    ...sessionConfig(peer, { authMethods: ['eap-peap'], ...(password ? { password } : {}) }),
    eapTrust: { caPem, serverName: 'sstp.strict.test' },
  };
  const session = new SstpSession(config, { ...FAST_TIMERS, log: (e) => logs.push(e) });
  return {
    session,
    events: [],
    logs,
    transcript: () => logs.map((l) => `${l.phase} ${l.level} ${l.message}`).join('\n'),
  };
}

describe(
  'PEAP with cryptobinding through the strict peer and hostapd',
  { skip: available.ok ? false : available.why },
  () => {
    let radius: HostapdRadius;
    before(async () => {
      radius = await startHostapdRadius();
    });
    after(async () => {
      await radius.stop();
      await assertNothingLeftOpen();
    });

    const rras = () => [
      personas.rrasLike(),
      { auth: { methods: ['eap' as const], radius: { host: radius.host, port: radius.port, secret: radius.secret } } },
    ];

    test('the right password connects: hostapd accepts our Crypto-Binding TLV, the SSTP binding verifies with its MPPE keys', async () => {
      const peer = await startStrictPeer(rras());
      await withPeer(peer, async () => {
        const client = peapClient(peer, radius.caPem);
        const outcome = await client.session.connect();
        assert.ok(outcome.ok, `${explain(peer, client, outcome)}\nhostapd:\n${radius.output().slice(-3000)}`);
        assert.equal(outcome.info.authMethod, 'eap-peap');
        assert.match(client.transcript(), /Crypto-Binding \(verified\)/);
        assert.deepEqual(
          await peer.waitFor('call-connected'),
          { kind: 'call-connected', ok: true, hash: 'sha256' },
          explain(peer, client),
        );
        assert.deepEqual(peer.violations, [], explain(peer, client));
        await client.session.disconnect();
      });
    });

    test('a wrong password is refused by hostapd and explained', async () => {
      const peer = await startStrictPeer(rras());
      await withPeer(peer, async () => {
        const client = peapClient(peer, radius.caPem, 'wrong-password');
        const f = failureOf(peer, client, await client.session.connect());
        assert.equal(f.code, 'auth-failed', explain(peer, client));
        assert.match(f.message, /PEAP/);
        assert.equal(peer.all('call-connected').length, 0);
      });
    });
  },
);
