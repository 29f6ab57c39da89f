// PEAPv0 (EAP-MSCHAPv2 inside) decided by a real FreeRADIUS behind the strict peer acting as RRAS
// with NPS. The peer checks CALL_CONNECTED with the HLAK made of the Access-Accept's MS-MPPE keys,
// so the binding verifies only if the client's PEAP key derivation agrees with FreeRADIUS's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EapTrust } from '../../../main/engine/config.js';
import type { LogEntry } from '../../../main/engine/log.js';
import { SstpSession, type SessionEvent } from '../../../main/engine/session.js';
import { freeradiusAvailable, startFreeRadius, type FreeRadius } from '../../harness/freeradius.js';
import { selfSignedServerCertificate } from '../../peers/certificates.js';
import { personas } from '../../peers/personas.js';
import { startStrictPeer, type StrictPeer } from '../../peers/strict-sstp-server.js';
import {
  FAST_TIMERS,
  assertNothingLeftOpen,
  explain,
  failureOf,
  sessionConfig,
  withPeer,
  type Client,
} from './helpers.js';

const available = freeradiusAvailable();

/** A client whose profile allows only PEAP, judging the certificate inside EAP by `eapTrust`. */
function peapClient(peer: StrictPeer, o: { password?: string; eapTrust?: EapTrust } = {}): Client {
  const logs: LogEntry[] = [];
  const events: SessionEvent[] = [];
  const config = {
    ...sessionConfig(peer, { authMethods: ['eap-peap'], ...(o.password ? { password: o.password } : {}) }),
    ...(o.eapTrust ? { eapTrust: o.eapTrust } : {}),
  };
  const session = new SstpSession(config, { ...FAST_TIMERS, log: (e) => logs.push(e) });
  session.onEvent((e) => events.push(e));
  return { session, events, logs, transcript: () => logs.map((l) => `${l.phase} ${l.level} ${l.message}`).join('\n') };
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

  const rras = () => [
    personas.rrasLike(),
    { auth: { methods: ['eap' as const], radius: { host: radius.host, port: radius.port, secret: radius.secret } } },
  ];
  const tail = (): string => `\nradius:\n${radius.output().slice(-5000)}`;

  test('the right password connects; the binding verifies with the MPPE keys FreeRADIUS derived', async () => {
    const peer = await startStrictPeer(rras());
    await withPeer(peer, async () => {
      const client = peapClient(peer, { eapTrust: { caPem: radius.caPem, serverName: 'sstp.strict.test' } });
      const outcome = await client.session.connect();
      assert.ok(outcome.ok, explain(peer, client, outcome) + tail());
      assert.equal(outcome.info.authMethod, 'eap-peap');
      assert.deepEqual(
        await peer.waitFor('call-connected'),
        { kind: 'call-connected', ok: true, hash: 'sha256' },
        explain(peer, client),
      );
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
      // No eapTrust: the certificate inside EAP is judged like the outer one (the peer's pin; FreeRADIUS presents the same leaf).
      const client = peapClient(peer, { password: 'wrong-password' });
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
      const client = peapClient(peer, { eapTrust: { caPem: stranger.certPem } });
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
