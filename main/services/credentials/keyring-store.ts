// CredentialStore on the OS keychain through @napi-rs/keyring (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows): prebuilt N-API binaries, so installing Causeway compiles nothing.
// On Linux the entry is pinned to the Secret Service: the library would otherwise fall back silently to
// the kernel keyring, which forgets every secret at reboot — a password that vanishes is worse than a
// clear "no keychain". The module is loaded on first use so a missing binary is a typed failure, not a
// crash at import time of everything that imports this.
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
import { classifyKeychainFailure } from './keychain-failure.js';

/** One keychain item, as @napi-rs/keyring's AsyncEntry exposes it. */
export interface KeyringEntry {
  getPassword(signal?: AbortSignal): Promise<string | null>;
  setPassword(password: string, signal?: AbortSignal): Promise<void>;
  deletePassword(signal?: AbortSignal): Promise<boolean>;
}

/** Opens the entry for (service, account); may throw when the store itself is out of reach. */
export type KeyringBackend = (service: string, account: string) => KeyringEntry;

export interface KeyringStoreOptions {
  /** keychain service name; tests may isolate themselves with another one. */
  readonly service?: string;
  /**
   * How long to wait for the keychain. A locked keyring may pop up an unlock prompt nobody answers
   * (headless, over SSH); without a bound the CLI would hang forever.
   */
  readonly timeoutMs?: number;
  /** Injected backend for unit tests; defaults to the real module. */
  readonly backend?: KeyringBackend;
}

export class KeyringCredentialStore implements CredentialStore {
  private readonly service: string;
  private readonly timeoutMs: number;
  private backend: Promise<KeyringBackend> | undefined;
  // Each entry of the binding holds its own D-Bus connection until it is garbage-collected: a new entry
  // per call exhausted the bus's per-user connection limit after ~250 calls (measured). One entry per
  // account bounds them by profiles × kinds; an entry that failed is dropped (its bus may be gone).
  private readonly entries = new Map<string, KeyringEntry>();

  constructor(opts: KeyringStoreOptions = {}) {
    this.service = opts.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    if (opts.backend) this.backend = Promise.resolve(opts.backend);
  }

  set(profileId: string, kind: SecretKind, secret: string): Promise<CredentialResult<void>> {
    // The binding resolves null here; the interface promises undefined.
    return this.call(profileId, kind, secret, async (e, signal) => void (await e.setPassword(secret, signal)));
  }

  async get(profileId: string, kind: SecretKind): Promise<CredentialResult<string | undefined>> {
    const r = await this.call(profileId, kind, undefined, (e, signal) => e.getPassword(signal));
    return r.ok ? { ok: true, value: r.value ?? undefined } : r;
  }

  delete(profileId: string, kind: SecretKind): Promise<CredentialResult<boolean>> {
    return this.call(profileId, kind, undefined, (e, signal) => e.deletePassword(signal));
  }

  deleteAll(profileId: string): Promise<CredentialResult<void>> {
    return deleteAllKinds(this, profileId);
  }

  private async call<T>(
    profileId: string,
    kind: SecretKind,
    secret: string | undefined,
    op: (entry: KeyringEntry, signal: AbortSignal) => Promise<T>,
  ): Promise<CredentialResult<T>> {
    const invalid = checkRequest(profileId, kind, secret);
    if (invalid) return { ok: false, error: invalid };
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const open = await this.load();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(
            new Error(`no answer from the keychain within ${this.timeoutMs} ms (an unlock prompt may be waiting)`),
          );
        }, this.timeoutMs);
      });
      const account = accountFor(profileId, kind);
      let entry = this.entries.get(account);
      if (!entry) {
        entry = open(this.service, account);
        this.entries.set(account, entry);
      }
      try {
        return { ok: true, value: await Promise.race([op(entry, abort.signal), timeout]) };
      } catch (e) {
        this.entries.delete(account);
        throw e;
      }
    } catch (e) {
      const detail = scrub(e, secret);
      return { ok: false, error: keychainUnavailable(classifyKeychainFailure(detail), detail) };
    } finally {
      clearTimeout(timer);
    }
  }

  private load(): Promise<KeyringBackend> {
    this.backend ??= import('@napi-rs/keyring').then((m) => {
      const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
      return (service: string, account: string) => new m.AsyncEntry(service, account, options);
    });
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
