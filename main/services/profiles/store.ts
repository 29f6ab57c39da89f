// The profile store: one `profiles.json` holding every profile.
// One file rather than one per profile because the invariants span profiles (names unique, ids unique):
// with one file a single atomic rename moves the whole set from one valid state to the next, and a
// rename of "Office" to "Home" can never half-happen. Profiles are few and small, so rewriting all is cheap.
// Every operation re-reads the file inside an in-process queue and under an inter-process lock file
// (profiles.json.lock): the app, the browser host and any number of CLI commands may edit it at once,
// and no read-modify-write cycle can lose another's write.
import type { Failure, Result } from '../../engine/result.js';
import { readFile, rename, access, copyFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { sweepStaleTemps, writeFileAtomic } from './atomic-write.js';
import { FileLock, type FileLockOptions } from './file-lock.js';
import { MIGRATIONS, decodeDocument, encodeDocument, nameKey, type Migration } from './file-format.js';
import {
  PROFILE_VERSION,
  describeIssues,
  type Profile,
  type ProfileDraft,
  type ProfileIssue,
} from '../../contract/profile.js';
import { createProfile } from './schema.js';

export type ProfileStoreError =
  | { kind: 'corrupt'; path: string; movedTo: string; problems: readonly string[]; message: string }
  | { kind: 'unsupported-version'; path: string; version: number; message: string }
  | { kind: 'io'; path: string; message: string }
  | { kind: 'invalid'; issues: readonly ProfileIssue[]; message: string }
  | { kind: 'name-taken'; name: string; message: string }
  | { kind: 'id-taken'; id: string; message: string }
  | { kind: 'not-found'; ref: string; message: string };

export type StoreResult<T> = Result<T, ProfileStoreError>;

export interface ProfileStoreOptions {
  /** Older-version upgrades; defaults to the shipped chain. Tests inject synthetic ones. */
  readonly migrations?: readonly Migration[];
  readonly now?: () => number;
  /** The inter-process lock's waiting policy (tests inject the pid check and the sleep). */
  readonly lock?: FileLockOptions;
}

/** What `update` may change: anything but identity. */
export type ProfileChange = (current: Profile) => ProfileDraft | Profile;

function withoutIdentity(p: ProfileDraft | Profile): ProfileDraft {
  if (!('id' in p)) return p;
  const { version: _version, id: _id, ...fields } = p;
  return fields;
}

export class ProfileStore {
  readonly file: string;
  private readonly migrations: readonly Migration[];
  private readonly now: () => number;
  private readonly lock: FileLock;
  private queue: Promise<unknown> = Promise.resolve();
  private swept = false;

  constructor(configDir: string, opts: ProfileStoreOptions = {}) {
    this.file = join(configDir, 'profiles.json');
    this.migrations = opts.migrations ?? MIGRATIONS;
    this.now = opts.now ?? Date.now;
    this.lock = new FileLock(`${this.file}.lock`, opts.lock);
  }

  /** Reads and validates every profile. A corrupt file is moved aside and reported, never rewritten. */
  load(): Promise<StoreResult<readonly Profile[]>> {
    return this.serialized(() => this.read());
  }

  list(): Promise<StoreResult<readonly Profile[]>> {
    return this.load();
  }

  async get(id: string): Promise<StoreResult<Profile>> {
    const all = await this.load();
    if (!all.ok) return all;
    const p = all.value.find((x) => x.id === id);
    return p ? { ok: true, value: p } : notFound(id);
  }

  /** Exact name first; otherwise a case-insensitive match (names are unique case-insensitively). */
  async getByName(name: string): Promise<StoreResult<Profile>> {
    const all = await this.load();
    if (!all.ok) return all;
    const p = all.value.find((x) => x.name === name) ?? all.value.find((x) => nameKey(x.name) === nameKey(name));
    return p ? { ok: true, value: p } : notFound(name);
  }

  /** Validates the draft, gives it an id (or keeps `opts.id`, for imports of our own format) and saves it. */
  add(draft: ProfileDraft, opts: { id?: string } = {}): Promise<StoreResult<Profile>> {
    return this.serialized(async () => {
      const all = await this.read();
      if (!all.ok) return all;
      const created = createProfile(draft, opts.id);
      if (!created.ok) return invalid(created.issues);
      const p = created.value;
      if (all.value.some((x) => x.id === p.id))
        return {
          ok: false,
          error: { kind: 'id-taken', id: p.id, message: `A profile with id ${p.id} already exists.` },
        };
      const clash = nameClash(all.value, p);
      if (clash) return clash;
      const saved = await this.write([...all.value, p]);
      return saved.ok ? { ok: true, value: p } : saved;
    });
  }

  /** Applies `change` to the current stored profile (read inside the queue, so it sees every earlier write). */
  update(id: string, change: ProfileChange): Promise<StoreResult<Profile>> {
    return this.serialized(async () => {
      const all = await this.read();
      if (!all.ok) return all;
      const i = all.value.findIndex((x) => x.id === id);
      const current = all.value[i];
      if (!current) return notFound(id);
      // An edit is checked like a new profile (the strict draft rules: route limit, no host bits), keeping its id.
      const v = createProfile(withoutIdentity(change(current)), id);
      if (!v.ok) return invalid(v.issues);
      const clash = nameClash(all.value, v.value);
      if (clash) return clash;
      const next = all.value.slice();
      next[i] = v.value;
      const saved = await this.write(next);
      return saved.ok ? { ok: true, value: v.value } : saved;
    });
  }

  /** Removes the profile from the file. Its secrets are the caller's to delete: see `deleteProfile`. */
  remove(id: string): Promise<StoreResult<Profile>> {
    return this.serialized(async () => {
      const all = await this.read();
      if (!all.ok) return all;
      const p = all.value.find((x) => x.id === id);
      if (!p) return notFound(id);
      const saved = await this.write(all.value.filter((x) => x.id !== id));
      return saved.ok ? { ok: true, value: p } : saved;
    });
  }

  // Reads take the lock too: reading may upgrade the file or move a corrupt one aside.
  private serialized<T>(op: () => Promise<StoreResult<T>>): Promise<StoreResult<T>> {
    const locked = async (): Promise<StoreResult<T>> => {
      const r = await this.lock.run(op);
      return r.ok ? r.value : { ok: false, error: { kind: 'io', path: this.file, message: r.error.message } };
    };
    const run = this.queue.then(locked, locked);
    this.queue = run.catch(() => {});
    return run;
  }

  private async read(): Promise<StoreResult<readonly Profile[]>> {
    if (!this.swept) {
      this.swept = true;
      await sweepStaleTemps(this.file);
    }
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, value: [] };
      return ioError(this.file, e);
    }
    const decoded = decodeDocument(text, this.migrations);
    if (decoded.ok) {
      if (decoded.migratedFrom !== undefined) {
        const upgraded = await this.upgrade(decoded.migratedFrom, decoded.document.profiles);
        if (!upgraded.ok) return upgraded;
      }
      return { ok: true, value: decoded.document.profiles };
    }
    if (decoded.kind === 'unsupported-version') {
      return {
        ok: false,
        error: {
          kind: 'unsupported-version',
          path: this.file,
          version: decoded.version,
          message: `${this.file} is version ${decoded.version}, which this Causeway cannot read (it reads version ${PROFILE_VERSION}). Update Causeway; the file was left untouched.`,
        },
      };
    }
    return this.setAside(decoded.problems);
  }

  // Keep a copy of the old file before writing the upgraded one, so a bad migration can be undone by hand.
  private async upgrade(from: number, profiles: readonly Profile[]): Promise<StoreResult<void>> {
    try {
      await copyFile(this.file, `${this.file}.v${from}.bak`, constants.COPYFILE_EXCL).catch(
        (e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        },
      );
    } catch (e) {
      return ioError(this.file, e);
    }
    return this.write(profiles);
  }

  private async setAside(problems: readonly string[]): Promise<StoreResult<never>> {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    let movedTo = `${this.file}.corrupt-${stamp}`;
    for (let n = 1; await exists(movedTo); n++) movedTo = `${this.file}.corrupt-${stamp}-${n}`;
    try {
      await rename(this.file, movedTo);
    } catch (e) {
      return ioError(this.file, e);
    }
    const shown = problems.slice(0, 10).join('; ') + (problems.length > 10 ? `; and ${problems.length - 10} more` : '');
    return {
      ok: false,
      error: {
        kind: 'corrupt',
        path: this.file,
        movedTo,
        problems,
        message: `The profiles file could not be read (${shown}). It was moved to ${movedTo} so nothing is lost; fix it and move it back, or start again with no profiles.`,
      },
    };
  }

  private async write(profiles: readonly Profile[]): Promise<StoreResult<void>> {
    try {
      await writeFileAtomic(this.file, encodeDocument(profiles));
      return { ok: true, value: undefined };
    } catch (e) {
      return ioError(this.file, e);
    }
  }
}

function nameClash(all: readonly Profile[], p: Profile): Failure<ProfileStoreError> | undefined {
  const other = all.find((x) => x.id !== p.id && nameKey(x.name) === nameKey(p.name));
  if (!other) return undefined;
  return {
    ok: false,
    error: {
      kind: 'name-taken',
      name: p.name,
      message: `A profile named "${other.name}" already exists; names must be unique.`,
    },
  };
}

function notFound(ref: string): Failure<ProfileStoreError> {
  return { ok: false, error: { kind: 'not-found', ref, message: `No profile "${ref}".` } };
}

function invalid(issues: readonly ProfileIssue[]): Failure<ProfileStoreError> {
  return { ok: false, error: { kind: 'invalid', issues, message: `Invalid profile: ${describeIssues(issues)}` } };
}

function ioError(path: string, e: unknown): Failure<ProfileStoreError> {
  const err = e as NodeJS.ErrnoException;
  return {
    ok: false,
    error: { kind: 'io', path, message: `Cannot access ${path}: ${err.code ?? ''} ${err.message}`.trim() },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
