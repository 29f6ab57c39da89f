// TLS as the user set it, read on the wire: a real node:tls server records the SNI it was sent, the raw
// SSTP HTTP request (Host) and the protocol negotiated; a TCP tap between client and server keeps every
// byte the client sent, so a client certificate that went out in a TLS 1.2 handshake (where the
// Certificate message is plaintext) is found by its DER. The session runs for real and stops at the
// server's HTTP 404 (or earlier).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createServer as createTcpServer,
  connect as tcpConnect,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { SessionConfig, TlsMinVersion } from '../../../main/engine/config.js';
import { SstpSession } from '../../../main/engine/session.js';
import { clientCredentials, peerCertificates } from '../../peers/certificates.js';
import { assertNothingLeftOpen, FAST_TIMERS } from './helpers.js';

interface Recorded {
  servername: string | false | null | undefined;
  protocol: string | null;
  request: string;
  clientCertificateSubject: string | undefined;
  handshakes: number;
}

interface WireServer {
  readonly port: number;
  readonly recorded: Recorded;
  /** Every byte the client sent, through the tap. */
  clientBytes(): Buffer;
  stop(): Promise<void>;
}

async function startWireServer(
  o: { maxVersion?: TlsMinVersion; requestCert?: boolean; clientCaPem?: string } = {},
): Promise<WireServer> {
  const certs = await peerCertificates();
  const recorded: Recorded = {
    servername: undefined,
    protocol: null,
    request: '',
    clientCertificateSubject: undefined,
    handshakes: 0,
  };
  const tlsServer = createTlsServer({
    key: certs.leaf.keyPem,
    cert: certs.leaf.certPem,
    ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
    // Ask for a certificate but take any answer, so that whatever the client sends is seen.
    ...(o.requestCert ? { requestCert: true, rejectUnauthorized: false, ca: o.clientCaPem } : {}),
  });
  const tlsSockets = new Set<TLSSocket>();
  tlsServer.on('secureConnection', (s: TLSSocket) => {
    tlsSockets.add(s);
    s.on('close', () => tlsSockets.delete(s));
    recorded.handshakes++;
    recorded.servername = s.servername;
    recorded.protocol = s.getProtocol();
    const peer = s.getPeerCertificate();
    recorded.clientCertificateSubject = peer.subject ? `CN=${peer.subject.CN}` : undefined;
    s.on('data', (d: Buffer) => {
      recorded.request += d.toString('latin1');
      if (recorded.request.includes('\r\n\r\n')) s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    s.on('error', () => undefined);
  });
  tlsServer.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  const tlsPort = (tlsServer.address() as AddressInfo).port;

  const chunks: Buffer[] = [];
  const tapped = new Set<Socket>();
  const tap: Server = createTcpServer((client) => {
    const upstream = tcpConnect(tlsPort, '127.0.0.1');
    tapped.add(client).add(upstream);
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        tapped.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (d: Buffer) => {
      chunks.push(d);
      upstream.write(d);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((r) => tap.listen(0, '127.0.0.1', r));
  return {
    port: (tap.address() as AddressInfo).port,
    recorded,
    clientBytes: () => Buffer.concat(chunks),
    stop: async () => {
      for (const s of [...tapped, ...tlsSockets]) s.destroy();
      await Promise.all([new Promise((r) => tap.close(r)), new Promise((r) => tlsServer.close(r))]);
    },
  };
}

/** The TLS records the client sent: [content type, length]. */
function records(bytes: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 5 <= bytes.length;) {
    const len = bytes.readUInt16BE(i + 3);
    out.push([bytes[i] ?? 0, len]);
    i += 5 + len;
  }
  return out;
}

/**
 * Whether the client's bytes could hold its certificate: in the clear (TLS 1.2's Certificate message),
 * or as an encrypted handshake record at least as long as the DER (TLS 1.3, content type 23).
 */
function certificateWentOut(bytes: Buffer, der: Buffer): boolean {
  return bytes.indexOf(der) !== -1 || records(bytes).some(([type, len]) => type === 23 && len >= der.length);
}

function config(server: WireServer, o: Partial<SessionConfig>): SessionConfig {
  return {
    host: '127.0.0.1',
    port: server.port,
    tlsMin: 'TLSv1.2',
    trust: { caPem: undefined },
    credentials: { username: 'u', password: 'p' },
    authMethods: ['mschapv2'],
    ipv6: false,
    mru: 1500,
    ...o,
  };
}

async function run(server: WireServer, o: Partial<SessionConfig>) {
  const session = new SstpSession(config(server, o), FAST_TIMERS);
  try {
    return await session.connect();
  } finally {
    await server.stop();
  }
}

describe('TLS on the wire', () => {
  after(() => assertNothingLeftOpen());

  test('--sni NAME: the server is sent NAME in SNI and the same NAME in the HTTP Host header', async () => {
    const certs = await peerCertificates();
    const server = await startWireServer();
    const outcome = await run(server, {
      sni: 'sstp.strict.test',
      address: '127.0.0.1',
      trust: { caPem: certs.ca.certPem },
    });
    assert.ok(!outcome.ok && outcome.failure.code === 'http-refused', JSON.stringify(outcome));
    assert.equal(server.recorded.servername, 'sstp.strict.test');
    assert.match(
      server.recorded.request,
      /^SSTP_DUPLEX_POST \/sra_\{BA195980-CD49-458b-9E23-C84EE0ADCD75\}\/ HTTP\/1\.1\r\n/,
    );
    assert.match(server.recorded.request, /\r\nHost: sstp\.strict\.test\r\n/);
    assert.doesNotMatch(server.recorded.request, /Host: 127\.0\.0\.1/);
  });

  test('without --sni and with an IP address: no SNI, and Host carries the address', async () => {
    const server = await startWireServer();
    const certs = await peerCertificates();
    const outcome = await run(server, { trust: { pinSha256: certs.leaf.sha256 } });
    assert.ok(!outcome.ok && outcome.failure.code === 'http-refused', JSON.stringify(outcome));
    assert.equal(server.recorded.servername, false);
    assert.match(server.recorded.request, /\r\nHost: 127\.0\.0\.1\r\n/);
  });

  test('a server name as host: SNI and Host both carry it, the address is only dialled', async () => {
    const certs = await peerCertificates();
    const server = await startWireServer();
    const outcome = await run(server, { host: 'localhost', address: '127.0.0.1', trust: { caPem: certs.ca.certPem } });
    assert.ok(!outcome.ok && outcome.failure.code === 'http-refused', JSON.stringify(outcome));
    assert.equal(server.recorded.servername, 'localhost');
    assert.match(server.recorded.request, /\r\nHost: localhost\r\n/);
  });

  test('--tls-min 1.3 against a TLS 1.2 server: a typed tls-failed naming the version, nothing sent after the handshake', async () => {
    const certs = await peerCertificates();
    const server = await startWireServer({ maxVersion: 'TLSv1.2' });
    const outcome = await run(server, { tlsMin: 'TLSv1.3', trust: { pinSha256: certs.leaf.sha256 } });
    assert.ok(!outcome.ok, 'must fail');
    assert.equal(outcome.failure.code, 'tls-failed');
    assert.equal(outcome.failure.phase, 'tls');
    assert.match(outcome.failure.message, /TLS version/);
    assert.equal(server.recorded.handshakes, 0);
    assert.equal(server.recorded.request, '');
  });

  test('the negotiated version is what the server and the minimum allow (1.2 when the server stops there, 1.3 otherwise)', async () => {
    const certs = await peerCertificates();
    const old = await startWireServer({ maxVersion: 'TLSv1.2' });
    const a = await run(old, { tlsMin: 'TLSv1.2', trust: { pinSha256: certs.leaf.sha256 } });
    assert.ok(!a.ok && a.failure.code === 'http-refused', JSON.stringify(a));
    assert.equal(old.recorded.protocol, 'TLSv1.2');
    assert.equal(a.tls?.version, 'TLSv1.2');
    const modern = await startWireServer();
    const b = await run(modern, { tlsMin: 'TLSv1.3', trust: { pinSha256: certs.leaf.sha256 } });
    assert.ok(!b.ok && b.failure.code === 'http-refused', JSON.stringify(b));
    assert.equal(modern.recorded.protocol, 'TLSv1.3');
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    test(`${version}: an untrusted server never receives the client certificate; a trusted one does`, async () => {
      const creds = clientCredentials();
      const certs = await peerCertificates();
      const clientCertificate = { pfx: creds.pfx, passphrase: creds.passphrase };

      const untrusted = await startWireServer({ maxVersion: version, requestCert: true, clientCaPem: creds.caPem });
      const refused = await run(untrusted, { tlsMin: 'TLSv1.2', trust: {}, clientCertificate });
      assert.ok(!refused.ok, 'must fail');
      assert.equal(refused.failure.code, 'certificate-untrusted', JSON.stringify(refused.failure));
      assert.equal(
        refused.failure.certificate?.subject.includes('sstp.strict.test'),
        true,
        'the failure carries the certificate for a trust prompt',
      );
      assert.equal(untrusted.recorded.handshakes, 0, 'the handshake never completed');
      assert.equal(untrusted.recorded.clientCertificateSubject, undefined);
      assert.equal(
        certificateWentOut(untrusted.clientBytes(), creds.certificate.der),
        false,
        `the client certificate is not in the client bytes: ${JSON.stringify(records(untrusted.clientBytes()))}`,
      );

      const wrongPin = await startWireServer({ maxVersion: version, requestCert: true, clientCaPem: creds.caPem });
      const mismatch = await run(wrongPin, {
        tlsMin: 'TLSv1.2',
        trust: { pinSha256: 'ab'.repeat(32) },
        clientCertificate,
      });
      assert.ok(!mismatch.ok && mismatch.failure.code === 'certificate-pin-mismatch', JSON.stringify(mismatch));
      assert.equal(wrongPin.recorded.handshakes, 0);
      assert.equal(certificateWentOut(wrongPin.clientBytes(), creds.certificate.der), false);

      const wrongName = await startWireServer({ maxVersion: version, requestCert: true, clientCaPem: creds.caPem });
      const misnamed = await run(wrongName, {
        tlsMin: 'TLSv1.2',
        sni: 'vpn.elsewhere.test',
        trust: { caPem: certs.ca.certPem },
        clientCertificate,
      });
      assert.ok(!misnamed.ok && misnamed.failure.code === 'certificate-untrusted', JSON.stringify(misnamed));
      assert.match(misnamed.failure.message, /vpn\.elsewhere\.test/);
      assert.equal(wrongName.recorded.handshakes, 0);
      assert.equal(certificateWentOut(wrongName.clientBytes(), creds.certificate.der), false);

      // The control: the same set-up with a trusted server, where the certificate does go out.
      const trusted = await startWireServer({ maxVersion: version, requestCert: true, clientCaPem: creds.caPem });
      const accepted = await run(trusted, {
        tlsMin: 'TLSv1.2',
        trust: { pinSha256: certs.leaf.sha256 },
        clientCertificate,
      });
      assert.ok(!accepted.ok && accepted.failure.code === 'http-refused', JSON.stringify(accepted));
      assert.equal(trusted.recorded.clientCertificateSubject, 'CN=causeway-client');
      assert.equal(trusted.recorded.protocol, version);
      assert.equal(certificateWentOut(trusted.clientBytes(), creds.certificate.der), true, 'the tap sees it go out');
      if (version === 'TLSv1.2')
        assert.notEqual(trusted.clientBytes().indexOf(creds.certificate.der), -1, 'TLS 1.2 carries it in the clear');
    });
  }
});
