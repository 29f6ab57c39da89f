// The last resort for DNS, where neither systemd-resolved nor resolvconf manages the resolver:
// /etc/resolv.conf itself, replaced atomically (write a temporary file beside it, fsync, rename), so
// a reader never sees half a file and a crash mid-write leaves the old one whole.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** How the new text got there: `in-place` only where rename cannot work (see below). */
export type ReplaceHow = 'renamed' | 'in-place';

/**
 * Replaces the contents of `path`, keeping its mode and owner.
 *
 * - A symlink (to /run/NetworkManager/resolv.conf, a custom file, …) is followed and its target is
 *   replaced: renaming onto the link itself would turn the user's symlink into a plain file.
 * - A bind mount (containers, `ip netns exec`, our own tests) cannot be renamed over: the kernel
 *   answers EBUSY because the name is a mount point, and EXDEV when the temporary file is on another
 *   filesystem than the mounted file. The only way to change what the mount shows is through its
 *   inode, so then we write in place (open without truncating, write, truncate to the new length,
 *   fsync). That is not atomic — a reader may briefly see a mix — and it is the one case that isn't.
 */
export function replaceFileAtomically(path: string, text: string): ReplaceHow {
  const target = resolveTarget(path);
  const existing = statOrUndefined(target);
  const mode = existing === undefined ? 0o644 : existing.mode & 0o7777;
  const tmp = join(dirname(target), `.${basename(target)}.causeway-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeAll(fd, text);
    // Mode and owner before the rename: the file never appears with the wrong ones.
    if (existing !== undefined) fchownSync(fd, existing.uid, existing.gid);
    fchmodSync(fd, mode);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
    return 'renamed';
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(tmp);
    const code = (e as NodeJS.ErrnoException).code;
    // EROFS/EACCES on the directory (a read-only /etc with a writable bind-mounted file) too.
    if (existing !== undefined && (code === 'EBUSY' || code === 'EXDEV' || code === 'EROFS' || code === 'EACCES')) {
      writeInPlace(target, text);
      return 'in-place';
    }
    throw e;
  }
}

function resolveTarget(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path; // absent (or a dangling link's name): create it
  }
}

function writeInPlace(path: string, text: string): void {
  const fd = openSync(path, 'r+');
  try {
    writeAll(fd, text);
    ftruncateSync(fd, Buffer.byteLength(text));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, off);
}

function statOrUndefined(path: string): { mode: number; uid: number; gid: number } | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? { mode: st.mode, uid: st.uid, gid: st.gid } : undefined;
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created
  }
}

/** The tunnel's resolver as resolv.conf text; the original's `options` lines are kept (edns0, trust-ad, …). */
export function resolvConfText(plan: {
  readonly name: string;
  readonly servers: readonly string[];
  readonly searchDomains: readonly string[];
  readonly defaultRoute: boolean;
  readonly original: string;
}): string {
  const lines = plan.original.split('\n');
  const options = lines.filter((l) => /^options\s/.test(l));
  const keep = (word: string): string[] =>
    lines.flatMap((l) => (new RegExp(`^${word}\\s`).test(l) ? l.trim().split(/\s+/).slice(1) : []));
  // Full tunnel: only the tunnel's servers, so no query leaves outside it. Split: a plain resolv.conf
  // cannot route by domain, so the system's servers stay first and ours follow (used when theirs fail);
  // the tunnel's search domains are added to the system's.
  const servers = plan.defaultRoute ? plan.servers : unique([...keep('nameserver'), ...plan.servers]);
  const search = plan.defaultRoute ? plan.searchDomains : unique([...keep('search'), ...plan.searchDomains]);
  return [
    `# Written by Causeway for ${plan.name}; the previous file comes back when the tunnel closes.`,
    ...servers.map((s) => `nameserver ${s}`),
    ...(search.length > 0 ? [`search ${search.join(' ')}`] : []),
    ...options,
    '',
  ].join('\n');
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
