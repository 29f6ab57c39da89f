// TLS to the SSTP server, and the decision whether to trust its certificate.
// Node verifies the chain (rejectUnauthorized would do it), but we verify ourselves after the handshake
// so that an untrusted certificate becomes a typed failure carrying the certificate for a trust prompt.
// With a client certificate that would be too late: Node's own check (rejectUnauthorized too) runs
// only once OpenSSL has finished the handshake, i.e. after our Certificate went out. So the server is
// judged inside the handshake, from the one JS callback OpenSSL makes between the server's Certificate
// and our reply: the OCSP status callback (requestOCSP), from which destroying the socket stops the
// handshake before anything of ours is sent (test/integration/engine/tls-wire.test.ts proves it).
import { isIP, type LookupFunction, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  type ConnectionOptions,
  type TLSSocket,
  type TLSSocketOptions,
  type PeerCertificate,
} from 'node:tls';
import type { CertificateInfo } from '../certificate-info.js';
import type { ClientCertificate, TlsMinVersion, TrustPolicy } from '../config.js';
import { describeLeaf } from './certificate.js';
import type { ArenaReads } from './read-arena.js';
import { judgeServer } from './tls-judge.js';

/**
 * The TLS socket's write high-water mark (Node's default is 16 KiB). The packet pump writes one
 * TUN read burst (up to 256 packets / 256 KiB, usually ~95 KB) per write; with 16 KiB nearly every
 * burst returned false, so TUN reads paused and resumed once per burst (measured: stalls ≈ read
 * wake-ups). With room for a whole burst the pump stalls only when TLS really falls behind; what
 * waits in this process stays bounded by this mark plus one burst. Node applies it to the readable
 * side too: while the data path pauses TLS reads (TUN full), up to this much is read ahead before
 * the socket stops reading, bounded the same way.
 */
export const TLS_HIGH_WATER_MARK = 256 * 1024;

/**
 * TCP opened by tls.connect itself, to one address: the only way Node 20 honours `onread` (its
 * TLSSocket drops the option when handed a socket: `onread: !socket ? tlsOptions.onread : null`
 * in lib/_tls_wrap.js), so decrypted records land in `reads`' arena instead of a new ArrayBuffer each.
 */
export interface DirectTcp {
  readonly address: string;
  readonly port: number;
  /** For the TCP connect; the handshake then gets TlsParams.timeoutMs. */
  readonly timeoutMs: number;
  readonly reads: ArenaReads;
  /** The socket exists (the caller closes it if it aborts meanwhile). */
  readonly onSocket: (socket: TLSSocket) => void;
  /** TCP is connected; the handshake starts. */
  readonly onConnected: () => void;
}

export interface TlsParams {
  /** The connection to run TLS over; absent with `direct`. */
  readonly socket?: Socket;
  readonly direct?: DirectTcp;
  readonly host: string;
  readonly sni?: string;
  readonly minVersion: TlsMinVersion;
  readonly trust: TrustPolicy;
  readonly clientCertificate?: ClientCertificate;
  readonly timeoutMs: number;
  /** Diagnostics (--keylog): each NSS key-log line of this connection's TLS secrets. */
  readonly onKeylog?: (line: Buffer) => void;
}

export interface TlsInfo {
  readonly version: string; // "TLSv1.3"
  readonly cipher: string;
  readonly certificate: CertificateInfo;
  readonly leafDer: Buffer;
}

export type TlsResult =
  | { readonly ok: true; readonly socket: TLSSocket; readonly info: TlsInfo }
  | {
      readonly ok: false;
      /** 'tcp-failed': only with `direct`, before TCP connected; `detail` is the errno code then. */
      readonly code: 'tls-failed' | 'certificate-untrusted' | 'certificate-pin-mismatch' | 'tcp-failed';
      readonly message: string;
      readonly detail: string;
      readonly certificate?: CertificateInfo;
    };

export function startTls(p: TlsParams): Promise<TlsResult> {
  return new Promise((resolve) => {
    const servername = p.sni ?? (isIP(p.host) ? undefined : p.host);
    const nameToCheck = servername ?? p.host;
    const mutual = p.clientCertificate !== undefined;
    const direct = p.direct;
    let tcpUp = direct === undefined;
    let judgedInHandshake = false;
    let done = false;
    let tls: TLSSocket;
    try {
      // requestOCSP is a TLSSocket option that tls.connect passes on (its types omit it);
      // highWaterMark is passed on to the socket by TLSSocket as well (its types omit it, too).
      const options: ConnectionOptions & Pick<TLSSocketOptions, 'requestOCSP'> & { highWaterMark: number } = {
        ...(direct === undefined
          ? { socket: p.socket }
          : {
              // Node's connect goes to the given address (`host` stays the name the certificate is
              // judged against); one address, so no family racing here.
              port: direct.port,
              lookup: fixedLookup(direct.address),
              autoSelectFamily: false,
              noDelay: true,
              onread: direct.reads.onread,
            }),
        // Node checks the certificate's names against `servername`, or `host` when there is none (IP).
        host: p.host,
        servername,
        minVersion: p.minVersion,
        rejectUnauthorized: false,
        ca: p.trust.caPem,
        pfx: p.clientCertificate?.pfx,
        passphrase: p.clientCertificate?.passphrase,
        requestOCSP: mutual,
        highWaterMark: TLS_HIGH_WATER_MARK,
      };
      tls = tlsConnect(options);
      direct?.onSocket(tls);
    } catch (e) {
      resolve({
        ok: false,
        code: 'tls-failed',
        message: 'TLS could not start: the client certificate or CA file could not be used.',
        detail: String(e),
      });
      return;
    }
    // Before any server byte is read, so no secret of the handshake is missed.
    if (p.onKeylog) tls.on('keylog', p.onKeylog);
    const finish = (r: TlsResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tls.off('error', onError);
      tls.off('close', onClose);
      if (!r.ok) tls.destroy();
      resolve(r);
    };
    const onError = (err: NodeJS.ErrnoException) =>
      finish(
        tcpUp
          ? {
              ok: false,
              code: 'tls-failed',
              message: explainTlsError(err, p.host),
              detail: `${err.code ?? ''} ${err.message}`.trim(),
            }
          : { ok: false, code: 'tcp-failed', message: err.message, detail: err.code ?? 'ERROR' },
      );
    const onClose = () =>
      finish({
        ok: false,
        code: 'tls-failed',
        message: `The server ${p.host} closed the connection during the TLS handshake. It may not be an SSTP server, or it refuses our TLS version.`,
        detail: 'closed during handshake',
      });
    const handshakeTimeout = () =>
      finish({
        ok: false,
        code: 'tls-failed',
        message: `The TLS handshake with ${p.host} did not finish within ${p.timeoutMs / 1000} s.`,
        detail: 'timeout',
      });
    let timer =
      direct === undefined
        ? setTimeout(handshakeTimeout, p.timeoutMs)
        : setTimeout(
            () =>
              finish({
                ok: false,
                code: 'tcp-failed',
                message: `no answer within ${direct.timeoutMs / 1000} s`,
                detail: 'ETIMEDOUT',
              }),
            direct.timeoutMs,
          );
    if (direct !== undefined)
      tls.once('connect', () => {
        if (done) return;
        tcpUp = true;
        clearTimeout(timer);
        timer = setTimeout(handshakeTimeout, p.timeoutMs);
        direct.onConnected();
      });
    tls.once('error', onError);
    tls.once('close', onClose);
    // The server's Certificate has been verified by OpenSSL, ours is not sent yet (see the top).
    if (mutual) {
      tls.once('OCSPResponse', () => {
        judgedInHandshake = true;
        const chainError = chainErrorDuringHandshake(tls);
        if (chainError === null) {
          finish({
            ok: false,
            code: 'tls-failed',
            message:
              'The server could not be checked before offering the client certificate, so it was not offered. Report this as a bug.',
            detail: 'no verification result during the handshake',
          });
          return;
        }
        const judged = judgeNow(tls, p.trust, chainError, nameToCheck);
        if (!judged.ok) finish(judged);
      });
    }
    tls.once('secureConnect', () => {
      if (mutual && !judgedInHandshake) {
        finish({
          ok: false,
          code: 'tls-failed',
          message: 'The server could not be checked before the client certificate was offered. Report this as a bug.',
          detail: 'the OCSP status callback did not run',
        });
        return;
      }
      const judged = judgeNow(
        tls,
        p.trust,
        tls.authorized ? undefined : String(tls.authorizationError ?? 'unknown'),
        nameToCheck,
      );
      if (!judged.ok) {
        finish(judged);
        return;
      }
      const { certificate, leafDer } = judged;
      const cipher = tls.getCipher();
      finish({
        ok: true,
        socket: tls,
        info: {
          version: tls.getProtocol() ?? 'unknown',
          cipher: cipher.standardName ?? cipher.name,
          certificate,
          leafDer,
        },
      });
    });
  });
}

/** A `lookup` for net.connect that answers `address` whatever the name (an IP literal, checked by the caller). */
function fixedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_hostname, options, callback) => {
    // net passes all: true only with autoSelectFamily, which the caller turns off; answer both shapes.
    if ((options as { all?: boolean }).all === true)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

type Judged = { ok: true; certificate: CertificateInfo; leafDer: Buffer } | Extract<TlsResult, { ok: false }>;

function judgeNow(tls: TLSSocket, trust: TrustPolicy, chainError: string | undefined, nameToCheck: string): Judged {
  const peer = tls.getPeerCertificate(false) as PeerCertificate | undefined;
  if (!peer || !peer.raw)
    return {
      ok: false,
      code: 'tls-failed',
      message: 'The server presented no certificate.',
      detail: 'no peer certificate',
    };
  const leafDer = Buffer.from(peer.raw);
  const certificate = describeLeaf(leafDer);
  const verdict = judgeServer(trust, chainError, peer, certificate, nameToCheck);
  return verdict ? { ok: false, ...verdict, certificate } : { ok: true, certificate, leafDer };
}

/**
 * OpenSSL's verification result while the handshake is still running. Node keeps it on the socket's
 * handle (what it reads itself for `authorizationError` once the handshake is over); null when this
 * Node does not have it, and the caller then refuses rather than offer the certificate unjudged.
 */
function chainErrorDuringHandshake(tls: TLSSocket): string | undefined | null {
  const handle = (
    tls as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null | undefined } }
  )._handle;
  if (typeof handle?.verifyError !== 'function') return null;
  const e = handle.verifyError();
  return e ? String(e.code ?? e.message) : undefined;
}

function explainTlsError(err: NodeJS.ErrnoException, host: string): string {
  const text = `${err.code ?? ''} ${err.message}`;
  // OpenSSL's "wrong version number" is about the first record's header: the bytes that came back are
  // not a TLS record at all (an HTTP server's "HTTP/1.1 400", an SSH banner), so no TLS minimum helps.
  // A TLS server with only older versions answers with a protocol_version alert or an old ServerHello.
  if (/wrong version number|WRONG_VERSION_NUMBER|packet length too long|http request/i.test(text))
    return `${host} did not answer with TLS: whatever listens there (a plain HTTP server, another service) is not an SSTP server. Check the server's address and port (SSTP runs over HTTPS, usually on port 443).`;
  if (/unsupported protocol|protocol version|TLSV1_ALERT_PROTOCOL_VERSION/i.test(text))
    return `${host} does not speak a TLS version this profile allows. Lower the minimum TLS version only if you trust the network.`;
  if (/ECONNRESET|socket hang up/i.test(text)) return `${host} reset the connection during the TLS handshake.`;
  if (/handshake failure|no shared cipher/i.test(text))
    return `TLS negotiation with ${host} failed: no common cipher or a client certificate is required.`;
  if (/mac verify failure|pkcs12/i.test(text))
    return 'The client certificate could not be opened: wrong passphrase or not a PKCS#12 file.';
  return `TLS with ${host} failed: ${err.message}`;
}
