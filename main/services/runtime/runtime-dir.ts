// Where running tunnels announce themselves: one directory per user that only that user can enter
// ($XDG_RUNTIME_DIR/causeway, or /run/causeway for root). Node cannot read SO_PEERCRED, so a control
// socket cannot ask who is calling; the directory's owner and 0700 mode are what keep strangers out,
// and this module refuses a directory that someone else owns or that others can enter.
import { lchownSync, lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export interface RuntimeDirEnvironment {
  readonly uid: number;
  readonly env: NodeJS.ProcessEnv;
}

export type RuntimeDirResult =
  { readonly ok: true; readonly dir: string } | { readonly ok: false; readonly error: RuntimeDirError };

export interface RuntimeDirError {
  readonly kind: 'no-runtime-dir' | 'unsafe' | 'io';
  readonly message: string;
}

/** The directory for `uid`; not created. */
export function runtimeDirFor({ uid, env }: RuntimeDirEnvironment): RuntimeDirResult {
  if (uid === 0) return { ok: true, dir: '/run/causeway' };
  const xdg = env['XDG_RUNTIME_DIR'];
  // The XDG spec: a relative value is invalid. Without one there is no private per-user place that
  // is emptied at logout; /tmp would let another user squat the name first.
  if (!xdg || !isAbsolute(xdg)) {
    return {
      ok: false,
      error: {
        kind: 'no-runtime-dir',
        message:
          'XDG_RUNTIME_DIR is not set, so there is no private place to register tunnels (log in through a session manager, or set it to a directory only you can use).',
      },
    };
  }
  return { ok: true, dir: join(xdg, 'causeway') };
}

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Creates the directory if needed (0700) and checks it belongs to `owner` alone. Root acting for a
 * sudo user creates it in that user's runtime directory and hands it over; lchown, because that
 * parent is the user's and could hold a symlink by then (one that the check below then refuses).
 */
export function ensureRuntimeDir(dir: string, owner: Owner, selfUid: number): RuntimeDirResult {
  try {
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (created !== undefined && owner.uid !== selfUid) lchownSync(dir, owner.uid, owner.gid);
  } catch (e) {
    return { ok: false, error: { kind: 'io', message: `cannot create ${dir}: ${(e as Error).message}` } };
  }
  return checkRuntimeDir(dir, owner.uid);
}

/** A directory that exists, is not a symlink, belongs to `uid` and admits nobody else. */
export function checkRuntimeDir(dir: string, uid: number): RuntimeDirResult {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    return { ok: false, error: { kind: 'io', message: `cannot read ${dir}: ${(e as Error).message}` } };
  }
  if (!st.isDirectory()) return { ok: false, error: { kind: 'unsafe', message: `${dir} is not a directory` } };
  if (st.uid !== uid)
    return {
      ok: false,
      error: { kind: 'unsafe', message: `${dir} belongs to uid ${st.uid}, not to uid ${uid}; refusing to use it` },
    };
  if ((st.mode & 0o077) !== 0)
    return {
      ok: false,
      error: {
        kind: 'unsafe',
        message: `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}); it must be 0700`,
      },
    };
  return { ok: true, dir };
}
