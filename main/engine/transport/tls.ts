// TLS to the SSTP server, and the decision whether to trust its certificate.
// Node verifies the chain (rejectUnauthorized would do it), but we verify ourselves after the handshake
// so that an untrusted certificate becomes a typed failure carrying the certificate for a trust prompt.
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, checkServerIdentity, type TLSSocket, type PeerCertificate } from 'node:tls';
import type { CertificateInfo } from '../certificate-info.js';
import type { ClientCertificate, TlsMinVersion, TrustPolicy } from '../config.js';
import { describeLeaf, normaliseFingerprint } from './certificate.js';

export interface TlsParams {
  readonly socket: Socket;
  readonly host: string;
  readonly sni?: string;
  readonly minVersion: TlsMinVersion;
  readonly trust: TrustPolicy;
  readonly clientCertificate?: ClientCertificate;
  readonly timeoutMs: number;
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
      readonly code: 'tls-failed' | 'certificate-untrusted' | 'certificate-pin-mismatch';
      readonly message: string;
      readonly detail: string;
      readonly certificate?: CertificateInfo;
    };

export function startTls(p: TlsParams): Promise<TlsResult> {
  return new Promise((resolve) => {
    const servername = p.sni ?? (isIP(p.host) ? undefined : p.host);
    let tls: TLSSocket;
    try {
      tls = tlsConnect({
        socket: p.socket,
        // Node checks the certificate's names against `servername`, or `host` when there is none (IP).
        host: p.host,
        servername,
        minVersion: p.minVersion,
        rejectUnauthorized: false,
        ca: p.trust.caPem,
        pfx: p.clientCertificate?.pfx,
        passphrase: p.clientCertificate?.passphrase,
      });
    } catch (e) {
      resolve({ ok: false, code: 'tls-failed', message: 'TLS could not start: the client certificate or CA file could not be used.', detail: String(e) });
      return;
    }
    const finish = (r: TlsResult) => {
      clearTimeout(timer);
      tls.off('error', onError);
      tls.off('close', onClose);
      if (!r.ok) tls.destroy();
      resolve(r);
    };
    const onError = (err: NodeJS.ErrnoException) =>
      finish({ ok: false, code: 'tls-failed', message: explainTlsError(err, p.host), detail: `${err.code ?? ''} ${err.message}`.trim() });
    const onClose = () =>
      finish({ ok: false, code: 'tls-failed', message: `The server ${p.host} closed the connection during the TLS handshake. It may not be an SSTP server, or it refuses our TLS version.`, detail: 'closed during handshake' });
    const timer = setTimeout(
      () => finish({ ok: false, code: 'tls-failed', message: `The TLS handshake with ${p.host} did not finish within ${p.timeoutMs / 1000} s.`, detail: 'timeout' }),
      p.timeoutMs,
    );
    tls.once('error', onError);
    tls.once('close', onClose);
    tls.once('secureConnect', () => {
      const peer = tls.getPeerCertificate(false) as PeerCertificate | undefined;
      if (!peer || !peer.raw) {
        finish({ ok: false, code: 'tls-failed', message: 'The server presented no certificate.', detail: 'no peer certificate' });
        return;
      }
      const leafDer = Buffer.from(peer.raw);
      const certificate = describeLeaf(leafDer);
      const verdict = judge(p, tls, peer, certificate, servername ?? p.host);
      if (verdict) {
        finish({ ok: false, ...verdict, certificate });
        return;
      }
      const cipher = tls.getCipher();
      finish({ ok: true, socket: tls, info: { version: tls.getProtocol() ?? 'unknown', cipher: cipher.standardName ?? cipher.name, certificate, leafDer } });
    });
  });
}

type Verdict = { code: 'certificate-untrusted' | 'certificate-pin-mismatch'; message: string; detail: string } | undefined;

function judge(p: TlsParams, tls: TLSSocket, peer: PeerCertificate, cert: CertificateInfo, nameToCheck: string): Verdict {
  const presented = cert.sha256.replace(/:/g, '');
  if (p.trust.pinSha256 !== undefined) {
    const pinned = normaliseFingerprint(p.trust.pinSha256);
    if (pinned === presented) return undefined;
    return {
      code: 'certificate-pin-mismatch',
      message:
        `WARNING: the server's certificate has changed since you trusted it. Someone may be intercepting the connection. ` +
        `Do not connect unless your administrator confirms the new fingerprint ${cert.sha256}.`,
      detail: `pinned ${p.trust.pinSha256}, presented ${cert.sha256}`,
    };
  }
  if (p.trust.insecure) return undefined;
  const reason = tls.authorized ? undefined : String(tls.authorizationError ?? 'unknown');
  if (reason !== undefined && reason !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      code: 'certificate-untrusted',
      message:
        `The server's certificate is not trusted (${explainAuthError(reason)}). ` +
        `If you know this server, compare its SHA-256 fingerprint ${cert.sha256} with the one your administrator gave you and trust it, or configure the CA that issued it.`,
      detail: reason,
    };
  }
  const hostError = checkServerIdentity(nameToCheck, peer);
  if (hostError) {
    return {
      code: 'certificate-untrusted',
      message: `The server's certificate is valid but not for ${nameToCheck} (it names ${cert.subjectAltNames.join(', ') || cert.subject}). Check the server name, or set the name the server should present (SNI).`,
      detail: hostError.message,
    };
  }
  return undefined;
}

function explainAuthError(code: string): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'it is self-signed';
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return 'it was issued by an authority this machine does not know';
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet — check this machine\'s clock';
    default:
      return code;
  }
}

function explainTlsError(err: NodeJS.ErrnoException, host: string): string {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/unsupported protocol|wrong version number|protocol version|TLSV1_ALERT_PROTOCOL_VERSION/i.test(text))
    return `${host} does not speak a TLS version this profile allows. Lower the minimum TLS version only if you trust the network.`;
  if (/ECONNRESET|socket hang up/i.test(text)) return `${host} reset the connection during the TLS handshake.`;
  if (/handshake failure|no shared cipher/i.test(text)) return `TLS negotiation with ${host} failed: no common cipher or a client certificate is required.`;
  if (/mac verify failure|pkcs12/i.test(text)) return 'The client certificate could not be opened: wrong passphrase or not a PKCS#12 file.';
  return `TLS with ${host} failed: ${err.message}`;
}
