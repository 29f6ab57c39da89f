// The secrets a profile keeps in the keychain beside it. They are written and forgotten with the
// profile; what goes back to the renderer is only whether each one is saved.
import type { ProfileView, SecretSaved } from '../contract/model.js';
import type { Profile } from '../contract/profile.js';
import type { CredentialStore, SecretKind } from '../services/credentials/credential-store.js';

export interface SecretChanges {
  readonly password?: string | undefined;
  readonly proxyPassword?: string | undefined;
  readonly pkcs12Passphrase?: string | undefined;
  /** A PEM client certificate's private key, already decrypted (unencrypted PKCS#8 PEM). */
  readonly clientKeyPem?: string | undefined;
  readonly forget?: readonly SecretKind[] | undefined;
}

const LABEL: Record<SecretKind, string> = {
  password: 'password',
  'proxy-password': 'proxy password',
  'pkcs12-passphrase': 'client certificate passphrase',
  'client-key': 'client certificate private key',
};

/** Applies the changes; returns one sentence per secret that did not take (the profile itself is saved). */
export async function applySecrets(
  credentials: CredentialStore,
  profileId: string,
  changes: SecretChanges,
): Promise<string[]> {
  const problems: string[] = [];
  const sets: [SecretKind, string | undefined][] = [
    ['password', changes.password],
    ['proxy-password', changes.proxyPassword],
    ['pkcs12-passphrase', changes.pkcs12Passphrase],
    ['client-key', changes.clientKeyPem],
  ];
  for (const [kind, value] of sets) {
    if (value === undefined) continue;
    const r = await credentials.set(profileId, kind, value);
    if (!r.ok) problems.push(`its ${LABEL[kind]} was not saved: ${r.error.message}`);
  }
  for (const kind of changes.forget ?? []) {
    // A secret typed in the same request wins over forgetting it.
    if (sets.some(([k, v]) => k === kind && v !== undefined)) continue;
    const r = await credentials.delete(profileId, kind);
    if (!r.ok) problems.push(`its ${LABEL[kind]} is still in the keychain: ${r.error.message}`);
  }
  return problems;
}

export async function profileView(credentials: CredentialStore, profile: Profile): Promise<ProfileView> {
  const saved = async (kind: SecretKind): Promise<SecretSaved> => {
    const r = await credentials.get(profile.id, kind);
    return r.ok ? r.value !== undefined : null;
  };
  const [password, proxyPassword, pkcs12Passphrase, clientKey] = await Promise.all([
    saved('password'),
    saved('proxy-password'),
    saved('pkcs12-passphrase'),
    saved('client-key'),
  ]);
  return { profile, hasPassword: password, secrets: { password, proxyPassword, pkcs12Passphrase, clientKey } };
}
