// What makes a client certificate unusable before any server sees it: expired (or not yet valid),
// issued for something other than client authentication, or not the pair of the private key given.
// Each is a typed error that says what to do, instead of a handshake failure the server explains
// with a bare alert. `now` is passed in: the caller's clock, never a hidden one.
import { X509Certificate, type KeyObject } from 'node:crypto';

export type ClientLeafProblem =
  | { readonly kind: 'expired'; readonly message: string }
  | { readonly kind: 'not-yet-valid'; readonly message: string }
  | { readonly kind: 'not-client-auth'; readonly message: string }
  | { readonly kind: 'key-mismatch'; readonly message: string };

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/** `key` absent: the pairing was already checked elsewhere (OpenSSL does it for PKCS#12). */
export function checkClientLeaf(
  der: Buffer,
  key: KeyObject | undefined,
  now: Date,
  path: string,
): ClientLeafProblem | undefined {
  const x = new X509Certificate(der);
  const subject = x.subject.split('\n').filter(Boolean).join(', ');
  const from = new Date(x.validFrom);
  const to = new Date(x.validTo);
  if (now.getTime() > to.getTime()) {
    return {
      kind: 'expired',
      message: `The client certificate in ${path} (${subject}) expired on ${to.toISOString().slice(0, 10)}. Ask your administrator for a new one and import it.`,
    };
  }
  if (now.getTime() < from.getTime()) {
    return {
      kind: 'not-yet-valid',
      message: `The client certificate in ${path} (${subject}) is valid only from ${from.toISOString()}. Check this machine's clock.`,
    };
  }
  // No Extended Key Usage means any use (RFC 5280 §4.2.1.12); with one, it must allow clientAuth.
  const eku = x.keyUsage;
  if (eku !== undefined && eku.length > 0 && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) {
    return {
      kind: 'not-client-auth',
      message: `The certificate in ${path} (${subject}) is not meant for signing in as a client (its extended key usage is ${eku.join(', ')}, without clientAuth). Use the client certificate your administrator issued to you.`,
    };
  }
  if (key !== undefined && !x.checkPrivateKey(key)) {
    return {
      kind: 'key-mismatch',
      message: `The private key does not belong to the certificate in ${path} (${subject}). Choose the key file that was issued with this certificate.`,
    };
  }
  return undefined;
}
