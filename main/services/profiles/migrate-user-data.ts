// One data home: before this, the Electron app kept profiles.json, ca/ and logs/ in Electron's userData
// (~/.config/Causeway when packaged, ~/.config/causeway from a checkout) while the CLI used the XDG
// directories. This moves the app's files into the XDG home once: profiles are merged by id (the keychain
// keys secrets by profile id, so saved passwords follow), CA copies move and their paths are rewritten,
// logs move. The old profiles file is kept renamed as a backup, which also makes a second run a no-op.
// No electron import: the app passes app.getPath('userData').
import { copyFile, mkdir, readFile, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { ServicePaths } from '../paths.js';
import { decodeDocument, nameKey } from './file-format.js';
import type { Profile } from '../../contract/profile.js';
import { ProfileStore } from './store.js';

export interface MigrationReport {
  /** Profiles copied into the data home (under a new name when theirs was taken there). */
  readonly profiles: readonly { readonly id: string; readonly name: string; readonly renamedFrom?: string }[];
  /** Profiles not copied, with why (already there, or refused by the store). */
  readonly skipped: readonly { readonly id: string; readonly name: string; readonly reason: string }[];
  readonly caFiles: number;
  readonly logFiles: number;
  /** Where the old profiles file was kept; undefined when there was none to move. */
  readonly backup?: string;
  /** The old profiles file could not be read; it was left where it is, untouched. */
  readonly unreadable?: string;
}

export const EMPTY_REPORT: MigrationReport = { profiles: [], skipped: [], caFiles: 0, logFiles: 0 };

/** The suffix the old profiles file gets once its profiles are in the data home. */
export const MIGRATED_SUFFIX = '.migrated-to-xdg';

export async function migrateUserData(oldDir: string, paths: ServicePaths): Promise<MigrationReport> {
  if (!(await isDir(oldDir))) return EMPTY_REPORT;
  const oldCa = join(oldDir, 'ca');
  const oldLogs = join(oldDir, 'logs');
  const sameConfig = await sameDir(oldDir, paths.configDir);
  let report: MigrationReport = EMPTY_REPORT;
  if (!sameConfig) {
    const caFiles = await moveTree(oldCa, paths.caDir);
    report = { ...(await mergeProfiles(join(oldDir, 'profiles.json'), oldCa, paths)), caFiles };
  }
  // From a checkout userData *is* ~/.config/causeway: only the logs are in the wrong place there.
  const logFiles = (await sameDir(oldLogs, paths.logsDir)) ? 0 : await moveTree(oldLogs, paths.logsDir);
  return { ...report, logFiles };
}

async function mergeProfiles(oldFile: string, oldCa: string, paths: ServicePaths): Promise<MigrationReport> {
  const text = await readFile(oldFile, 'utf8').catch(() => undefined);
  if (text === undefined) return EMPTY_REPORT;
  const decoded = decodeDocument(text);
  if (!decoded.ok)
    return {
      ...EMPTY_REPORT,
      unreadable: `${oldFile}: ${decoded.kind === 'unsupported-version' ? `version ${decoded.version}` : decoded.problems.join('; ')}`,
    };

  const store = new ProfileStore(paths.configDir);
  const copied: { id: string; name: string; renamedFrom?: string }[] = [];
  const skipped: { id: string; name: string; reason: string }[] = [];
  const current = await store.list();
  if (!current.ok) return { ...EMPTY_REPORT, unreadable: current.error.message };
  const ids = new Set(current.value.map((p) => p.id));
  const names = new Set(current.value.map((p) => nameKey(p.name)));
  for (const old of decoded.document.profiles) {
    if (ids.has(old.id)) {
      skipped.push({ id: old.id, name: old.name, reason: 'already in the data home' });
      continue;
    }
    const name = freeName(old.name, names);
    const { version: _version, id, ...draft } = withCaIn(old, oldCa, paths.caDir);
    const added = await store.add({ ...draft, name }, { id });
    if (!added.ok) {
      skipped.push({ id, name: old.name, reason: added.error.message });
      continue;
    }
    names.add(nameKey(name));
    copied.push(name === old.name ? { id, name } : { id, name, renamedFrom: old.name });
  }
  // Only once every profile is in (a crash before this reruns the merge, which skips the ids it has).
  const backup = `${oldFile}${MIGRATED_SUFFIX}`;
  await rename(oldFile, backup);
  return { profiles: copied, skipped, caFiles: 0, logFiles: 0, backup };
}

/** "Office" is taken in the data home: the app's one becomes "Office (app)", then "Office (app 2)"… */
function freeName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(nameKey(name))) return name;
  for (let n = 1; ; n++) {
    const candidate = `${name} (app${n === 1 ? '' : ` ${n}`})`;
    if (!taken.has(nameKey(candidate))) return candidate;
  }
}

/** A CA copy Causeway made in the old folder now lives in the new one; a file the user chose stays. */
function withCaIn(p: Profile, oldCa: string, newCa: string): Profile {
  const ca = p.tls.caFile;
  if (!ca || !isInside(oldCa, ca)) return p;
  return { ...p, tls: { ...p.tls, caFile: join(newCa, relative(oldCa, ca)) } };
}

/** Moves every file under `from` to the same place under `to`, never over an existing file. Returns how many moved. */
async function moveTree(from: string, to: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch {
    return 0;
  }
  let moved = 0;
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const e of entries) {
    const src = join(from, e.name);
    const dest = join(to, e.name);
    if (e.isDirectory()) moved += await moveTree(src, dest);
    else if (e.isFile() && !(await exists(dest))) {
      await moveFile(src, dest);
      moved++;
    }
  }
  // Left in place when something could not move (a name already taken): nothing is deleted unmoved.
  await rmdir(from).catch(() => {});
  return moved;
}

async function moveFile(src: string, dest: string): Promise<void> {
  try {
    await rename(src, dest);
  } catch (e) {
    // userData and the XDG home on different filesystems.
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(src, dest);
    await unlink(src);
  }
}

// By inode, not by name: on a case-insensitive filesystem "Causeway" and "causeway" are one folder.
async function sameDir(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && basename(file) !== '';
}
