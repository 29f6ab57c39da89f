// Deleting a profile deletes what belongs to it: its secrets in the keychain, the CA certificate
// Causeway imported for it and its connection logs. The profile goes first: a keychain that is locked
// right now must not keep someone from deleting a profile, but they are told which secrets are left behind.
import { unlink } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import type { CredentialError, CredentialStore } from '../credentials/credential-store.js';
import type { ProfileStore, StoreResult } from './store.js';
import type { Profile } from '../../contract/profile.js';
import type { ConnectionLogs } from '../logs/connection-logs.js';

export interface DeleteProfileDeps {
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  /** Causeway's own CA directory; only files inside it are removed, never a file the user pointed at. */
  readonly caDir?: string;
  /** When given, the profile's connection logs go too. */
  readonly logs?: ConnectionLogs;
}

export interface DeletedProfile {
  readonly profile: Profile;
  /** Set when the keychain could not be reached: the secrets are still there. */
  readonly secretsLeft?: CredentialError;
}

export async function deleteProfile(deps: DeleteProfileDeps, id: string): Promise<StoreResult<DeletedProfile>> {
  const removed = await deps.store.remove(id);
  if (!removed.ok) return removed;
  const profile = removed.value;
  const ca = profile.tls.caFile;
  if (ca && deps.caDir && isInside(deps.caDir, ca)) await unlink(ca).catch(() => {});
  await deps.logs?.removeAll(profile.id);
  const secrets = await deps.credentials.deleteAll(profile.id);
  return { ok: true, value: secrets.ok ? { profile } : { profile, secretsLeft: secrets.error } };
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
