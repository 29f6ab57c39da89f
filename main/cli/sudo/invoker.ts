// Who the CLI acts for. Run by root through sudo, it acts for the user who typed `sudo` (SUDO_UID):
// that user's profiles, logs and keychain, not root's. sudo resets the environment, so the user's
// home comes from the password database and their session bus from /run/user/<uid>.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export type Invoker = { readonly kind: 'self' } | { readonly kind: 'sudo'; readonly user: PasswdEntry };

export interface InvokerError {
  readonly kind: 'sudo-user-unknown';
  readonly message: string;
}

export type InvokerResult =
  { readonly ok: true; readonly invoker: Invoker } | { readonly ok: false; readonly error: InvokerError };

export interface InvokerEnvironment {
  readonly uid: number;
  readonly env: NodeJS.ProcessEnv;
  /** /etc/passwd's text (injected by tests). */
  readonly passwd: () => string;
}

const HOW_TO =
  'Run `causeway` as yourself instead (the privileged helper starts through polkit), or give the password with --password-stdin.';

/** Parses passwd(5) lines; malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !f[0] || !/^\d+$/.test(f[2] ?? '') || !/^\d+$/.test(f[3] ?? '') || !isAbsolute(f[5] ?? ''))
      continue;
    out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' });
  }
  return out;
}

export function resolveInvoker({ uid, env, passwd }: InvokerEnvironment): InvokerResult {
  const sudoUid = env['SUDO_UID'];
  // Only root acting for someone else: `sudo -u bob` runs as bob, who has a data home of his own.
  if (uid !== 0 || sudoUid === undefined || sudoUid === '0') return { ok: true, invoker: { kind: 'self' } };
  const fail = (why: string): InvokerResult => ({
    ok: false,
    error: {
      kind: 'sudo-user-unknown',
      message: `Running under sudo, but ${why}, so Causeway cannot find your profiles and keychain. ${HOW_TO}`,
    },
  });
  if (!/^[1-9]\d{0,9}$/.test(sudoUid)) return fail(`SUDO_UID (${JSON.stringify(sudoUid)}) is not a user id`);
  let entries: PasswdEntry[];
  try {
    entries = parsePasswd(passwd());
  } catch (e) {
    return fail(`the user database could not be read (${(e as Error).message})`);
  }
  const user = entries.find((e) => e.uid === Number(sudoUid));
  if (!user) return fail(`uid ${sudoUid} is not in /etc/passwd`);
  const name = env['SUDO_USER'];
  if (name !== undefined && name !== user.name)
    return fail(`SUDO_USER (${name}) and SUDO_UID (${sudoUid}, ${user.name}) disagree`);
  return { ok: true, invoker: { kind: 'sudo', user } };
}

/**
 * The environment the sudo user's own shell would give Causeway: their HOME and names, and their
 * session bus when their login session has one. XDG_*_HOME values that point outside their home
 * (root's, left by `sudo -E`) are dropped; the defaults under their home apply instead.
 */
export function userEnvironment(
  env: NodeJS.ProcessEnv,
  user: PasswdEntry,
  exists: (path: string) => boolean,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, HOME: user.home, USER: user.name, LOGNAME: user.name };
  for (const name of ['XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME']) {
    const v = out[name];
    if (v !== undefined && !inside(user.home, v)) delete out[name];
  }
  const runtime = `/run/user/${user.uid}`;
  delete out['XDG_RUNTIME_DIR'];
  delete out['DBUS_SESSION_BUS_ADDRESS'];
  if (exists(runtime)) out['XDG_RUNTIME_DIR'] = runtime;
  const bus = join(runtime, 'bus');
  if (exists(bus)) out['DBUS_SESSION_BUS_ADDRESS'] = `unix:path=${bus}`;
  return out;
}

function inside(home: string, path: string): boolean {
  if (!isAbsolute(path)) return false;
  const r = relative(home, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** This process's invoker, from its real uid, its environment and the machine's /etc/passwd. */
export function invokerOfThisProcess(env: NodeJS.ProcessEnv): InvokerResult {
  return resolveInvoker({ uid: process.getuid?.() ?? -1, env, passwd: () => readFileSync('/etc/passwd', 'utf8') });
}
