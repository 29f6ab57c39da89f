// The client certificate (PKCS#12, or a PEM certificate whose key is in the keychain) stays where the user keeps it (the trust service opens it from its
// path at each connection; it has no store for the file). So the editor gets two checks on that path:
// as you type, that it is absolute (the app's working directory is nobody's business); after saving,
// that the file opens with the saved passphrase, reported next to the field rather than at connect time.
import { isAbsolute } from 'node:path';
import type { ProfileIssue } from '../contract/model.js';
import type { CredentialStore } from '../services/credentials/credential-store.js';
import type { Profile } from '../contract/profile.js';
import { loadClientCertificate } from '../services/trust/pkcs12.js';

export const CLIENT_CERTIFICATE_PATH = 'tls.clientCertificate';

type ClientCertificateRef = { readonly pkcs12File: string } | { readonly certificateFile: string };

export function clientCertificatePathIssues(draft: {
  readonly tls?: { readonly clientCertificate?: ClientCertificateRef | undefined } | undefined;
}): ProfileIssue[] {
  const ref = draft.tls?.clientCertificate;
  if (ref === undefined) return [];
  const [field, file] = 'pkcs12File' in ref ? ['pkcs12File', ref.pkcs12File] : ['certificateFile', ref.certificateFile];
  if (isAbsolute(file)) return [];
  return [{ path: `${CLIENT_CERTIFICATE_PATH}.${field}`, message: 'must be an absolute path (starting with /)' }];
}

/** Saved profiles only: reads the file and the keychain. No issue when the keychain cannot be asked. */
export async function clientCertificateWarnings(
  profile: Profile,
  credentials: CredentialStore,
): Promise<ProfileIssue[]> {
  const r = await loadClientCertificate(profile, credentials);
  if (r.ok || r.error.kind === 'keychain-unavailable') return [];
  return [{ path: CLIENT_CERTIFICATE_PATH, message: r.error.message }];
}
