// Becoming the sudo user, for good or for one synchronous step. Commands that need no root at all drop
// to the user at once, so every file they write is the user's and their keychain works as usual.
// `connect` keeps root for the helper and borrows the user's identity only to create files.
import type { PasswdEntry } from './invoker.js';

/** What this module needs of `process` (injected by unit tests). */
export interface Identity {
  setgroups(groups: readonly number[]): void;
  setgid(gid: number): void;
  setuid(uid: number): void;
  setegid(gid: number): void;
  seteuid(uid: number): void;
  getegid(): number;
  geteuid(): number;
}

export function processIdentity(): Identity {
  const p = process;
  if (!p.setgroups || !p.setgid || !p.setuid || !p.setegid || !p.seteuid || !p.getegid || !p.geteuid)
    throw new Error('user switching is not available on this platform');
  return {
    setgroups: (g) => p.setgroups!(g),
    setgid: (g) => p.setgid!(g),
    setuid: (u) => p.setuid!(u),
    setegid: (g) => p.setegid!(g),
    seteuid: (u) => p.seteuid!(u),
    getegid: () => p.getegid!(),
    geteuid: () => p.geteuid!(),
  };
}

/**
 * Irreversibly becomes `user` (groups, then gid, then uid: the other order would lose the right to
 * change groups). Supplementary groups shrink to the user's primary group: root's must go, and
 * nothing the CLI does needs the user's others. Then points the process environment at their home and session bus, which is where
 * libdbus and os.homedir() look.
 */
export function dropToUser(
  user: PasswdEntry,
  userEnv: NodeJS.ProcessEnv,
  id: Identity = processIdentity(),
  env: NodeJS.ProcessEnv = process.env,
): void {
  id.setgroups([user.gid]);
  id.setgid(user.gid);
  id.setuid(user.uid);
  for (const k of Object.keys(env)) if (!(k in userEnv)) delete env[k];
  Object.assign(env, userEnv);
}

/**
 * Runs a synchronous step with the user's effective ids, so the files and directories it creates are
 * theirs. Synchronous only: while the ids are switched nothing else of this process may run (libuv's
 * pool threads share them; glibc switches every thread).
 */
export function asUserSync<T>(user: PasswdEntry, step: () => T, id: Identity = processIdentity()): T {
  const euid = id.geteuid();
  const egid = id.getegid();
  id.setegid(user.gid);
  id.seteuid(user.uid);
  try {
    return step();
  } finally {
    id.seteuid(euid);
    id.setegid(egid);
  }
}
