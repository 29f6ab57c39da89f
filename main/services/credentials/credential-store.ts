// Secrets belong to the OS keychain, reached through this interface so the backend can change
// (keytar is archived upstream) and other modules can test with an in-memory one.
// There is deliberately no plaintext fallback: when the keychain is out of reach the caller is told so,
// and the CLI can take the secret from --password-stdin for that one run instead.

export type SecretKind = 'password' | 'proxy-password' | 'pkcs12-passphrase';
export const SECRET_KINDS: readonly SecretKind[] = ['password', 'proxy-password', 'pkcs12-passphrase'];

export type CredentialError =
  | {
      /** No session bus, no Secret Service, a locked keyring, a dismissed prompt, or no answer in time. */
      readonly kind: 'keychain-unavailable';
      readonly message: string;
      /** What the backend said; never contains the secret. */
      readonly detail: string;
    }
  | { readonly kind: 'invalid'; readonly message: string };

export type CredentialResult<T> = { ok: true; value: T } | { ok: false; error: CredentialError };

export interface CredentialStore {
  set(profileId: string, kind: SecretKind, secret: string): Promise<CredentialResult<void>>;
  /** `undefined` when nothing is stored for this profile and kind. */
  get(profileId: string, kind: SecretKind): Promise<CredentialResult<string | undefined>>;
  /** `true` when something was deleted. */
  delete(profileId: string, kind: SecretKind): Promise<CredentialResult<boolean>>;
  /** Deletes every kind of secret of a profile (used when the profile is deleted). */
  deleteAll(profileId: string): Promise<CredentialResult<void>>;
}

export const KEYCHAIN_SERVICE = 'causeway';

/** One keychain entry per profile and kind: service "causeway", account "<profile-id>:<kind>". */
export function accountFor(profileId: string, kind: SecretKind): string {
  return `${profileId}:${kind}`;
}

export function keychainUnavailable(detail: string): CredentialError {
  return {
    kind: 'keychain-unavailable',
    message:
      'The system keychain cannot be reached, so no secret was read or saved. Unlock your keyring ' +
      '(e.g. GNOME Keyring / KWallet) in a desktop session, or pass the password with --password-stdin for this run.',
    detail,
  };
}

export function checkRequest(profileId: string, kind: SecretKind, secret?: string): CredentialError | undefined {
  if (profileId === '' || profileId.includes(':')) return { kind: 'invalid', message: 'A profile id must be non-empty and contain no ":".' };
  if (!SECRET_KINDS.includes(kind)) return { kind: 'invalid', message: `Unknown secret kind "${String(kind)}".` };
  if (secret !== undefined && secret === '') return { kind: 'invalid', message: 'An empty secret is not stored; delete it instead.' };
  return undefined;
}

/** Deletes each kind in turn; the first failure wins (the rest are likely to fail the same way). */
export async function deleteAllKinds(store: Pick<CredentialStore, 'delete'>, profileId: string): Promise<CredentialResult<void>> {
  for (const kind of SECRET_KINDS) {
    const r = await store.delete(profileId, kind);
    if (!r.ok) return r;
  }
  return { ok: true, value: undefined };
}
