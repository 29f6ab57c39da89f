// Whether the server's certificate is trusted: the pin, then the chain (OpenSSL's verdict), then the
// name. Pure over what the handshake has produced, so it can run while the handshake is still going
// (see tls.ts: a client certificate is only sent to a server judged here).
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { CertificateInfo } from '../certificate-info.js';
import type { TrustPolicy } from '../config.js';
import { normaliseFingerprint } from './certificate.js';

export type Verdict =
  { code: 'certificate-untrusted' | 'certificate-pin-mismatch'; message: string; detail: string } | undefined;

/**
 * `chainError` is OpenSSL's verification result for the chain (undefined when it verified);
 * `nameToCheck` the SNI, or the host when it is an address.
 */
export function judgeServer(
  trust: TrustPolicy,
  chainError: string | undefined,
  peer: PeerCertificate,
  cert: CertificateInfo,
  nameToCheck: string,
): Verdict {
  const presented = cert.sha256.replace(/:/g, '');
  if (trust.pinSha256 !== undefined) {
    const pinned = normaliseFingerprint(trust.pinSha256);
    if (pinned === presented) return undefined;
    return {
      code: 'certificate-pin-mismatch',
      message:
        `WARNING: the server's certificate has changed since you trusted it. Someone may be intercepting the connection. ` +
        `Do not connect unless your administrator confirms the new fingerprint ${cert.sha256}.`,
      detail: `pinned ${trust.pinSha256}, presented ${cert.sha256}`,
    };
  }
  if (trust.insecure) return undefined;
  if (chainError !== undefined && chainError !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      code: 'certificate-untrusted',
      message:
        `The server's certificate is not trusted (${explainAuthError(chainError)}). ` +
        `If you know this server, compare its SHA-256 fingerprint ${cert.sha256} with the one your administrator gave you and trust it, or configure the CA that issued it.`,
      detail: chainError,
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
      return "it is not valid yet — check this machine's clock";
    default:
      return code;
  }
}
