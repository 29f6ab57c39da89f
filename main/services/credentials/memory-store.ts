// An in-memory CredentialStore for other modules' unit tests. Never used to persist anything.
import {
  accountFor,
  checkRequest,
  deleteAllKinds,
  keychainUnavailable,
  type CredentialResult,
  type CredentialStore,
  type SecretKind,
} from './credential-store.js';

export class MemoryCredentialStore implements CredentialStore {
  private readonly secrets = new Map<string, string>();
  /** Set to simulate a locked or missing keychain. */
  unavailable = false;

  async set(profileId: string, kind: SecretKind, secret: string): Promise<CredentialResult<void>> {
    const bad = this.refuse(profileId, kind, secret);
    if (bad) return bad;
    this.secrets.set(accountFor(profileId, kind), secret);
    return { ok: true, value: undefined };
  }

  async get(profileId: string, kind: SecretKind): Promise<CredentialResult<string | undefined>> {
    const bad = this.refuse(profileId, kind);
    if (bad) return bad;
    return { ok: true, value: this.secrets.get(accountFor(profileId, kind)) };
  }

  async delete(profileId: string, kind: SecretKind): Promise<CredentialResult<boolean>> {
    const bad = this.refuse(profileId, kind);
    if (bad) return bad;
    return { ok: true, value: this.secrets.delete(accountFor(profileId, kind)) };
  }

  deleteAll(profileId: string): Promise<CredentialResult<void>> {
    return deleteAllKinds(this, profileId);
  }

  /** How many secrets are held; for tests asserting that deletion happened. */
  get size(): number {
    return this.secrets.size;
  }

  private refuse(profileId: string, kind: SecretKind, secret?: string): CredentialResult<never> | undefined {
    const invalid = checkRequest(profileId, kind, secret);
    if (invalid) return { ok: false, error: invalid };
    if (this.unavailable) return { ok: false, error: keychainUnavailable('locked', 'simulated: keychain unavailable') };
    return undefined;
  }
}
