// A profile's client certificate — PKCS#12 (pkcs12-open.ts); PEM (key in the keychain) in pem-client.ts —
// opened with its passphrase from the keychain and handed to the engine's TLS as { pfx, passphrase }.
// Both load node-forge only when a profile has such a certificate, so a connect without one never
// holds forge (~10 MB of RSS; issue 17).
import { readFile } from 'node:fs/promises';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { Profile } from '../../contract/profile.js';
import type { ClientCertificateError, LoadedClientCertificate } from './client-certificate-types.js';
import { openPemClientCertificate } from './pem-client.js';
import type { Pkcs12Result } from './pkcs12-open.js';

export type { ClientCertificateError, LoadedClientCertificate } from './client-certificate-types.js';

export type { Pkcs12Result } from './pkcs12-open.js';

const opener = () => import('./pkcs12-open.js');

/** Loads the profile's client certificate; `undefined` when the profile has none. `now` judges its validity. */
export async function loadClientCertificate(
  profile: Pick<Profile, 'id' | 'tls'>,
  credentials: CredentialStore,
  now: Date = new Date(),
): Promise<{ ok: true; value: LoadedClientCertificate | undefined } | { ok: false; error: ClientCertificateError }> {
  const ref = profile.tls.clientCertificate;
  if (!ref) return { ok: true, value: undefined };
  if ('certificateFile' in ref) return loadPem(profile.id, ref.certificateFile, credentials, now);
  const path = ref.pkcs12File;
  let pfx: Buffer;
  try {
    pfx = await readFile(path);
  } catch (e) {
    return fail({
      kind: 'file-unreadable',
      path,
      message: `Cannot read the client certificate ${path}: ${(e as Error).message}`,
    });
  }
  const stored = await credentials.get(profile.id, 'pkcs12-passphrase');
  if (!stored.ok) {
    return fail({ kind: 'keychain-unavailable', credentialError: stored.error, message: stored.error.message });
  }
  if (stored.value === undefined) {
    // Some exports have no passphrase at all; only if that fails is the missing passphrase the problem.
    const { openPkcs12 } = await opener();
    const open = openPkcs12(pfx, '', path, now);
    if (open.ok || open.error.kind !== 'wrong-passphrase') return open;
    return fail({
      kind: 'passphrase-missing',
      path,
      message: `The client certificate ${path} needs a passphrase and none is saved for this profile.`,
    });
  }
  return (await opener()).openPkcs12(pfx, stored.value, path, now);
}

async function loadPem(
  profileId: string,
  path: string,
  credentials: CredentialStore,
  now: Date,
): Promise<Pkcs12Result> {
  let certText: string;
  try {
    certText = await readFile(path, 'utf8');
  } catch (e) {
    return fail({
      kind: 'file-unreadable',
      path,
      message: `Cannot read the client certificate ${path}: ${(e as Error).message}`,
    });
  }
  const key = await credentials.get(profileId, 'client-key');
  if (!key.ok) return fail({ kind: 'keychain-unavailable', credentialError: key.error, message: key.error.message });
  if (key.value === undefined) {
    return fail({
      kind: 'key-missing',
      path,
      message: `No private key is saved for the client certificate ${path}. Choose its key file in the profile.`,
    });
  }
  return openPemClientCertificate(certText, key.value, path, now);
}

function fail(error: ClientCertificateError): { ok: false; error: ClientCertificateError } {
  return { ok: false, error };
}
