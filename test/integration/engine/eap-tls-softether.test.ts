// EAP-TLS against the real SoftEther 5.01 server (Debian's build, patched for SSTP): a user with
// "signed certificate" authentication by a CA made here. The right certificate connects (IPCP up,
// CALL_CONNECTED sent with the binding from the EAP-TLS MSK); a certificate from another CA and an
// expired one from the right CA are refused by the server and explained by Causeway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionConfig } from '../../../main/engine/config.js';
import type { LogEntry } from '../../../main/engine/log.js';
import { buildEchoRequest, parseEchoReply, parseIpv4 } from '../../../main/engine/packet/icmp.js';
import { SstpSession } from '../../../main/engine/session.js';
import { EXPIRED, makeTestCa } from '../../harness/softether-certs.js';
import type { TestCertificate } from '../../harness/softether-certs.js';
import { addCertificateUser } from '../../harness/softether-eap-tls.js';
import type { SoftEtherServer } from '../../harness/softether.js';
import { integrationSkip, startSoftEther } from '../../harness/softether.js';
import { FAST_TIMERS } from './helpers.js';

const skip = integrationSkip();
const USER = 'certuser';

describe('EAP-TLS against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  const userCa = makeTestCa('Causeway SoftEther user CA');
  const good = userCa.issue({ commonName: USER });
  const expired = userCa.issue({ commonName: USER, ...EXPIRED });
  const foreign = makeTestCa('Some other CA').issue({ commonName: USER });

  before(async () => {
    server = await startSoftEther({ name: 'cw-eaptls' });
    await addCertificateUser(server, USER, userCa.certPem);
  });
  after(async () => {
    await server?.stop();
  });

  function config(cert: TestCertificate, over: Partial<SessionConfig> = {}): SessionConfig {
    return {
      host: server.host,
      port: server.port,
      tlsMin: 'TLSv1.2',
      // The self-signed server certificate as the CA: the chain and the name (its SAN holds the
      // address) are checked, outside and again inside EAP.
      trust: { caPem: server.certPem },
      credentials: { username: USER, password: '' },
      authMethods: ['eap-tls'],
      clientCertificate: { pfx: cert.pfx('p12-pass'), passphrase: 'p12-pass' },
      ipv6: false,
      mru: 1500,
      ...over,
    };
  }

  async function attempt(cfg: SessionConfig) {
    const logs: LogEntry[] = [];
    const session = new SstpSession(cfg, { ...FAST_TIMERS, negotiationTimeoutMs: 20_000, log: (e) => logs.push(e) });
    const outcome = await session.connect();
    const transcript = () => logs.map((l) => `${l.phase} ${l.level} ${l.message}`).join('\n');
    return { session, outcome, logs, transcript };
  }

  // SoftEther does not check the compound MAC (docs/protocol.md §7), so the binding's correctness is
  // proven elsewhere: the unit tests (MSK equal to a node:tls server's) and FreeRADIUS via the strict peer.
  test('the right certificate signs in: EAP-TLS, IPCP up, CALL_CONNECTED sent, a ping answered through the tunnel', async () => {
    const r = await attempt(config(good));
    assert.ok(r.outcome.ok, `${JSON.stringify(r.outcome)}\n${r.transcript()}`);
    assert.equal(r.outcome.info.authMethod, 'eap-tls');
    assert.match(r.outcome.info.ipv4.local, /^192\.168\.30\./);
    const text = r.transcript();
    assert.match(text, /EAP-TLS: server certificate [0-9A-F:]{95} trusted/);
    assert.match(text, /EAP-TLS: handshake finished \(TLSv1\.[23]\); MSK derived/);
    assert.match(text, /send \[[^\]]*CALL_CONNECTED/);
    // Our certificate flight is larger than one fragment under MRU 1500: sent as L+M, then the rest.
    assert.match(text, /send \[EAP Response id=0x[0-9a-f]+ TLS \[LM\] \d+ bytes\]/);
    // Traffic: SecureNAT's gateway answers a ping through the tunnel.
    const local = parseIpv4(r.outcome.info.ipv4.local);
    const gateway = parseIpv4('192.168.30.1');
    assert.ok(local && gateway);
    const replies: number[] = [];
    r.session.onIpPacket((p) => {
      const e = parseEchoReply(p);
      if (e.ok && e.value.identifier === 0x5216) replies.push(e.value.sequence);
    });
    for (let seq = 1; seq <= 20 && replies.length === 0; seq++) {
      r.session.sendIp(buildEchoRequest(local, gateway, 0x5216, seq, Buffer.from('causeway eap-tls')));
      await new Promise((done) => setTimeout(done, 250));
    }
    assert.ok(replies.length > 0, `no echo reply from 192.168.30.1\n${r.transcript()}`);
    await r.session.disconnect();
  });

  test("a small MRU: the server fragments to fit ours, we fragment to fit the server's", async () => {
    const r = await attempt(config(good, { mru: 600 }));
    assert.ok(r.outcome.ok, `${JSON.stringify(r.outcome)}\n${r.transcript()}`);
    const { mru, peerMru } = r.outcome.info;
    assert.equal(mru, 600);
    const sizes = (dir: 'rcvd' | 'send') =>
      [
        ...r
          .transcript()
          .matchAll(
            new RegExp(`${dir} \\[EAP (?:Request|Response) id=0x[0-9a-f]+ TLS(?: \\[[LMS]+\\])? (\\d+) bytes`, 'g'),
          ),
      ].map((m) => Number(m[1]));
    const received = sizes('rcvd');
    const sent = sizes('send');
    if (process.env.EAP_TLS_TRACE) console.log(r.transcript());
    assert.ok(received.length >= 3 && sent.length >= 3, r.transcript());
    // TLS data + 10 bytes of EAP/EAP-TLS headers must fit the receiver's MRU.
    assert.ok(Math.max(...received) + 10 <= mru, `received ${received.join(',')}`);
    assert.ok(Math.max(...sent) + 10 <= peerMru, `sent ${sent.join(',')} (peer MRU ${peerMru})`);
    await r.session.disconnect();
  });

  test('a certificate from another CA is refused by the server, and explained', async () => {
    const r = await attempt(config(foreign));
    assert.equal(r.outcome.ok, false, r.transcript());
    if (r.outcome.ok) return;
    assert.equal(r.outcome.failure.code, 'auth-failed', r.transcript());
    assert.equal(r.outcome.failure.phase, 'auth');
    assert.match(
      r.outcome.failure.message,
      /refused to sign in "certuser" with your client certificate \(certuser, issued by Some other CA\)/,
    );
  });

  test('an expired certificate from the right CA is refused by the server, and the failure says it expired', async () => {
    const r = await attempt(config(expired));
    assert.equal(r.outcome.ok, false, r.transcript());
    if (r.outcome.ok) return;
    assert.equal(r.outcome.failure.code, 'auth-failed', r.transcript());
    assert.match(r.outcome.failure.message, /Your certificate expired on \d{4}-\d\d-\d\d/);
    // The server, not Causeway, refused it: the TLS handshake inside EAP finished first.
    assert.match(r.outcome.failure.detail ?? '', /EAP-Failure after the TLS handshake/);
  });

  test('an inner certificate outside the EAP trust is stopped before our certificate is sent', async () => {
    const other = makeTestCa('Not the server CA');
    const r = await attempt(config(good, { eapTrust: { caPem: other.certPem } }));
    assert.equal(r.outcome.ok, false);
    if (r.outcome.ok) return;
    assert.equal(r.outcome.failure.code, 'server-auth-failed', r.transcript());
    assert.ok(
      r.outcome.failure.message.includes(server.certDerSha256.toUpperCase().replace(/(..)(?!$)/g, '$1:')),
      r.outcome.failure.message,
    );
  });
});
