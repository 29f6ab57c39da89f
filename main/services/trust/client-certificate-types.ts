// What loading a profile's client certificate gives: the engine's { pfx, passphrase } with the
// certificate for display, or one typed error per way it can be unusable (PKCS#12 and PEM alike).
import type { ClientCertificate } from '../../engine/config.js';
import type { CredentialError } from '../credentials/credential-store.js';
import type { CertificateDetails } from './certificate.js';

export type ClientCertificateError =
  | { readonly kind: 'file-unreadable'; readonly path: string; readonly message: string }
  | { readonly kind: 'passphrase-missing'; readonly path: string; readonly message: string }
  | { readonly kind: 'keychain-unavailable'; readonly credentialError: CredentialError; readonly message: string }
  | { readonly kind: 'not-pkcs12'; readonly path: string; readonly message: string }
  | { readonly kind: 'wrong-passphrase'; readonly path: string; readonly message: string }
  | { readonly kind: 'incomplete'; readonly path: string; readonly message: string }
  | { readonly kind: 'unsupported'; readonly path: string; readonly message: string }
  // Checks of the certificate itself (client-certificate-checks.ts), for PKCS#12 and PEM alike.
  | {
      readonly kind: 'expired' | 'not-yet-valid' | 'not-client-auth' | 'key-mismatch';
      readonly path: string;
      readonly message: string;
    }
  // PEM only: the certificate file holds none, or the keychain holds no (readable) key for it.
  | { readonly kind: 'not-a-certificate' | 'key-missing'; readonly path: string; readonly message: string };

export interface LoadedClientCertificate extends ClientCertificate {
  /** The client certificate, for display; absent only if it cannot be parsed at all. */
  readonly certificate?: CertificateDetails;
  /** True when the container was rewritten in memory because OpenSSL refused its old algorithms. */
  readonly reencoded: boolean;
}
