// A strict SSTP server for the engine's integration tests: real TLS on loopback, the HTTP
// handshake, SSTP call control, a scripted server-side PPP (LCP, PAP/CHAP/MS-CHAPv2/EAP-MSCHAPv2,
// IPCP, IPv6CP) and a tiny ICMP responder. Unlike SoftEther it verifies what a client gets wrong
// most easily — the crypto binding, the authenticator exchange, CALL_CONNECTED before any IP —
// and records every breach in `violations`. Personas (personas.ts) script it like RRAS or accel-ppp.
//
//   const peer = await startStrictPeer(personas.accelPppLike());
//   … new SstpSession({ host: peer.host, port: peer.port, trust: { pinSha256: peer.certSha256 }, … })
//   assert.deepEqual(peer.violations, []);
//   await peer.stop();
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { peerCertificates, type IssuedCertificate } from './certificates.js';
import { PeerConnection } from './connection.js';
import { EventLog, type EventOf, type PeerEvent, type PeerEventKind } from './events.js';
import { resolveScript, type PartialScript, type PeerScript } from './script.js';

export interface StrictPeerOptions {
  /** Present this certificate instead of the shared CA-issued leaf. */
  readonly certificate?: IssuedCertificate;
  /** Address to listen on (default 127.0.0.1), e.g. the host end of a veth into a client netns. */
  readonly listenHost?: string;
}

export interface StrictPeer {
  readonly host: string;
  readonly port: number;
  /** The presented leaf certificate, its SHA-256 (lower-case hex) and the CA that issued it. */
  readonly certPem: string;
  readonly certDer: Buffer;
  readonly certSha256: string;
  readonly caPem: string;
  readonly users: Readonly<Record<string, string>>;
  readonly script: PeerScript;
  /** Everything the peer saw and did, in order (across all connections). */
  readonly events: readonly PeerEvent[];
  /** Protocol rules the client broke. A correct client leaves this empty. */
  readonly violations: readonly string[];
  readonly connections: number;
  waitFor<K extends PeerEventKind>(
    kind: K,
    where?: (e: EventOf<K>) => boolean,
    timeoutMs?: number,
  ): Promise<EventOf<K>>;
  all<K extends PeerEventKind>(kind: K): EventOf<K>[];
  /** A readable transcript for assertion messages. */
  transcript(): string;
  /** For ipv6cp.mode 'hold': let IPv6CP proceed. */
  releaseIpv6cp(): void;
  /** Closes the listener and every connection; resolves when all are gone. */
  stop(): Promise<void>;
}

export async function startStrictPeer(
  script: PartialScript | readonly PartialScript[] = {},
  options: StrictPeerOptions = {},
): Promise<StrictPeer> {
  const resolved = resolveScript(
    ...(Array.isArray(script) ? (script as readonly PartialScript[]) : [script as PartialScript]),
  );
  const certs = await peerCertificates();
  const leaf = options.certificate ?? certs.leaf;
  const log = new EventLog();
  const live = new Set<PeerConnection>();
  const sockets = new Set<TLSSocket>();
  let connections = 0;
  let ipv6cpReleased = false;

  const mtlsCa = resolved.tls.requireClientCertificateCaPem;
  const server = createServer({
    key: leaf.keyPem,
    cert: leaf.certPem,
    minVersion: resolved.tls.minVersion,
    ...(mtlsCa !== undefined ? { requestCert: true, rejectUnauthorized: true, ca: mtlsCa } : {}),
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    connections++;
    const peerCert = mtlsCa !== undefined ? socket.getPeerCertificate() : undefined;
    log.record({
      kind: 'tls-accepted',
      protocol: socket.getProtocol() ?? 'unknown',
      ...(peerCert?.subject ? { clientCertificateSubject: `CN=${peerCert.subject.CN}` } : {}),
    });
    sockets.add(socket);
    const conn = new PeerConnection(socket, {
      script: resolved,
      log,
      certDer: leaf.der,
      ipv6cpReleased: () => ipv6cpReleased,
    });
    live.add(conn);
    socket.on('close', () => {
      live.delete(conn);
      sockets.delete(socket);
    });
  });
  // Handshake failures (an untrusting client hanging up, a missing client certificate) are expected.
  server.on('tlsClientError', (err) => log.record({ kind: 'closed', reason: `TLS handshake failed: ${err.message}` }));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.listenHost ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: options.listenHost ?? '127.0.0.1',
    port,
    certPem: leaf.certPem,
    certDer: leaf.der,
    certSha256: leaf.sha256,
    caPem: certs.ca.certPem,
    users: resolved.users,
    script: resolved,
    events: log.events,
    violations: log.violations,
    get connections() {
      return connections;
    },
    waitFor: (kind, where, timeoutMs) => log.waitFor(kind, where, timeoutMs),
    all: (kind) => log.all(kind),
    transcript: () => log.summary(),
    releaseIpv6cp() {
      ipv6cpReleased = true;
      for (const c of live) c.releaseIpv6cp();
    },
    stop() {
      return new Promise<void>((resolve) => {
        for (const c of live) c.destroy();
        server.close(() => resolve());
      });
    },
  };
}
