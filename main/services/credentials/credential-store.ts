// Secrets belong to the OS keychain, reached through this interface so the backend can change
// (it was keytar, archived upstream; now @napi-rs/keyring) and other modules can test with an in-memory one.
// There is deliberately no plaintext fallback: when the keychain is out of reach the caller is told so,
// and the CLI can take the secret from --password-stdin for that one run instead.

import type { Result } from '../../engine/result.js';
/** 'client-key': the PEM private key of a PEM client certificate (unencrypted PKCS#8; the keychain is its lock). */
export type SecretKind = 'password' | 'proxy-password' | 'pkcs12-passphrase' | 'client-key';
export const SECRET_KINDS: readonly SecretKind[] = ['password', 'proxy-password', 'pkcs12-passphrase', 'client-key'];

/** Why the keychain could not be used; each has its own advice in the message. */
export type KeychainFailureReason =
  /** The keyring exists but is locked (or its unlock prompt was dismissed). */
  | 'locked'
  /** A session bus, but nothing on it provides the Secret Service (no gnome-keyring / KWallet / KeePassXC). */
  | 'no-secret-service'
  /** No D-Bus session bus at all (a bare SSH login, sudo, a service). */
  | 'no-session-bus'
  /** The keychain did not answer in time (an unlock prompt nobody sees). */
  | 'no-answer'
  | 'failed';

export type CredentialError =
  | {
      readonly kind: 'keychain-unavailable';
      readonly reason: KeychainFailureReason;
      readonly message: string;
      /** What the backend said; never contains the secret. */
      readonly detail: string;
    }
  | { readonly kind: 'invalid'; readonly message: string };

export type CredentialResult<T> = Result<T, CredentialError>;

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

const NOTHING_DONE = 'The system keychain cannot be used, so no secret was read or saved';
const FALLBACK =
  'Until then you will be asked for the password at each connect (in scripts: --password-stdin); nothing is written to disk in clear.';

const ADVICE: Readonly<Record<KeychainFailureReason, string>> = {
  locked:
    'your keyring is locked (or was never unlocked in this session). Unlock it (log in to the desktop, or open "Passwords and Keys" / KWallet) and try again.',
  'no-secret-service':
    'no keyring service is running in this session. Install and start one (gnome-keyring, KWallet or KeePassXC with Secret Service enabled) and try again.',
  'no-session-bus':
    'this process has no desktop session bus (an SSH login, sudo or a system service). Run Causeway from your desktop session, or set DBUS_SESSION_BUS_ADDRESS to it.',
  'no-answer':
    'the keychain did not answer in time; an unlock prompt may be waiting on your screen. Answer it and try again.',
  failed:
    'the keychain reported an error (see the detail). Check that your keyring works (e.g. with "secret-tool") and try again.',
};

export function keychainUnavailable(reason: KeychainFailureReason, detail: string): CredentialError {
  return { kind: 'keychain-unavailable', reason, message: `${NOTHING_DONE}: ${ADVICE[reason]} ${FALLBACK}`, detail };
}

export function checkRequest(profileId: string, kind: SecretKind, secret?: string): CredentialError | undefined {
  if (profileId === '' || profileId.includes(':'))
    return { kind: 'invalid', message: 'A profile id must be non-empty and contain no ":".' };
  if (!SECRET_KINDS.includes(kind)) return { kind: 'invalid', message: `Unknown secret kind "${String(kind)}".` };
  if (secret !== undefined && secret === '')
    return { kind: 'invalid', message: 'An empty secret is not stored; delete it instead.' };
  return undefined;
}

/** Deletes each kind in turn; the first failure wins (the rest are likely to fail the same way). */
export async function deleteAllKinds(
  store: Pick<CredentialStore, 'delete'>,
  profileId: string,
): Promise<CredentialResult<void>> {
  for (const kind of SECRET_KINDS) {
    const r = await store.delete(profileId, kind);
    if (!r.ok) return r;
  }
  return { ok: true, value: undefined };
}
