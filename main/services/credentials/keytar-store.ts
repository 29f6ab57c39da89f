// CredentialStore on the OS keychain through keytar (Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows). keytar is loaded on first use so that a missing native build is a
// typed "keychain unavailable" error rather than a crash at import time of everything that imports this.
import type * as KeytarModule from 'keytar';
import {
  KEYCHAIN_SERVICE,
  accountFor,
  checkRequest,
  deleteAllKinds,
  keychainUnavailable,
  type CredentialResult,
  type CredentialStore,
  type SecretKind,
} from './credential-store.js';

type Keytar = Pick<typeof KeytarModule, 'getPassword' | 'setPassword' | 'deletePassword'>;

export interface KeytarStoreOptions {
  /** keychain service name; tests may isolate themselves with another one. */
  readonly service?: string;
  /**
   * How long to wait for the keychain. A locked keyring may pop up an unlock prompt nobody answers
   * (headless, over SSH); without a bound the CLI would hang forever.
   */
  readonly timeoutMs?: number;
  /** Injected keytar-like backend; defaults to the real module. */
  readonly backend?: Keytar;
}

export class KeytarCredentialStore implements CredentialStore {
  private readonly service: string;
  private readonly timeoutMs: number;
  private backend: Promise<Keytar> | undefined;

  constructor(opts: KeytarStoreOptions = {}) {
    this.service = opts.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    if (opts.backend) this.backend = Promise.resolve(opts.backend);
  }

  set(profileId: string, kind: SecretKind, secret: string): Promise<CredentialResult<void>> {
    return this.call(profileId, kind, secret, (k, account) => k.setPassword(this.service, account, secret));
  }

  async get(profileId: string, kind: SecretKind): Promise<CredentialResult<string | undefined>> {
    const r = await this.call(profileId, kind, undefined, (k, account) => k.getPassword(this.service, account));
    return r.ok ? { ok: true, value: r.value ?? undefined } : r;
  }

  delete(profileId: string, kind: SecretKind): Promise<CredentialResult<boolean>> {
    return this.call(profileId, kind, undefined, (k, account) => k.deletePassword(this.service, account));
  }

  deleteAll(profileId: string): Promise<CredentialResult<void>> {
    return deleteAllKinds(this, profileId);
  }

  private async call<T>(
    profileId: string,
    kind: SecretKind,
    secret: string | undefined,
    op: (k: Keytar, account: string) => Promise<T>,
  ): Promise<CredentialResult<T>> {
    const invalid = checkRequest(profileId, kind, secret);
    if (invalid) return { ok: false, error: invalid };
    let timer: NodeJS.Timeout | undefined;
    try {
      const k = await this.load();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the keychain within ${this.timeoutMs} ms (an unlock prompt may be waiting)`)), this.timeoutMs);
      });
      return { ok: true, value: await Promise.race([op(k, accountFor(profileId, kind)), timeout]) };
    } catch (e) {
      return { ok: false, error: keychainUnavailable(scrub(e, secret)) };
    } finally {
      clearTimeout(timer);
    }
  }

  private load(): Promise<Keytar> {
    this.backend ??= import('keytar').then((m) => (m.default ?? m) as Keytar);
    // A failed load is not cached: the user may unlock or install something and retry in the same app run.
    return this.backend.catch((e: unknown) => {
      this.backend = undefined;
      throw e;
    });
  }
}

// Backends echo arguments in some errors; make sure the secret never rides along into a message.
function scrub(e: unknown, secret: string | undefined): string {
  const text = e instanceof Error ? e.message : String(e);
  return secret ? text.split(secret).join('[redacted]') : text;
}
