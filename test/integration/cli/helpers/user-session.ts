// A throwaway login user with a desktop-like session: /run/user/<uid>, a session bus at
// /run/user/<uid>/bus and an unlocked gnome-keyring on it, all run as that user; plus a sudoers rule
// letting them run node through sudo without a password. Everything is removed by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { terminate } from '../../services/helpers/private-keyring.js';

export interface UserSession {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  /** The environment of a process in the user's session. */
  readonly env: NodeJS.ProcessEnv;
  /** Ends the bus and keyring (the user then has no session bus). */
  stopSession(): Promise<void>;
  stop(): Promise<void>;
}

export function userSessionToolsPresent(): boolean {
  return ['useradd', 'userdel', 'runuser', 'dbus-daemon', 'gnome-keyring-daemon', 'dbus-send', 'sudo', 'visudo'].every(
    (b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0,
  );
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export async function startUserSession(name: string): Promise<UserSession> {
  if (spawnSync('id', ['-u', name]).status !== 0) run('useradd', ['-m', '-s', '/bin/sh', name]);
  const uid = Number(run('id', ['-u', name]).trim());
  const gid = Number(run('id', ['-g', name]).trim());
  const home = run('sh', ['-c', `getent passwd ${name} | cut -d: -f6`]).trim();
  const runtime = `/run/user/${uid}`;
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  chownSync(runtime, uid, gid);
  const bus = `${runtime}/bus`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: home,
    USER: name,
    LOGNAME: name,
    XDG_RUNTIME_DIR: runtime,
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}`,
  };
  const asUser = (cmd: string, args: string[], stdin: 'pipe' | 'ignore') =>
    spawn(
      'runuser',
      ['-u', name, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`), cmd, ...args],
      { stdio: [stdin, 'ignore', 'ignore'] },
    );

  let daemons: ChildProcess[] = [];
  const startSession = async () => {
    const busDaemon = asUser(
      'dbus-daemon',
      ['--session', `--address=unix:path=${bus}`, '--nofork', '--nopidfile'],
      'ignore',
    );
    daemons.push(busDaemon);
    await waitFor(
      () =>
        spawnSync(
          'dbus-send',
          [
            '--bus=unix:path=' + bus,
            '--print-reply',
            '--dest=org.freedesktop.DBus',
            '/org/freedesktop/DBus',
            'org.freedesktop.DBus.ListNames',
          ],
          { uid, gid },
        ).status === 0,
      'the session bus',
    );
    const keyring = asUser('gnome-keyring-daemon', ['--foreground', '--components=secrets', '--unlock'], 'pipe');
    keyring.stdin?.end('causeway-login-pw');
    daemons.push(keyring);
    await waitFor(() => {
      const r = spawnSync(
        'dbus-send',
        [
          '--bus=unix:path=' + bus,
          '--print-reply',
          '--dest=org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.NameHasOwner',
          'string:org.freedesktop.secrets',
        ],
        { uid, gid, encoding: 'utf8' },
      );
      return r.stdout.includes('boolean true');
    }, 'gnome-keyring on the bus');
  };
  await startSession();

  const sudoers = `/etc/sudoers.d/causeway-it-${name}`;
  writeFileSync(sudoers, `Defaults:${name} !requiretty\n${name} ALL=(root) NOPASSWD: ${process.execPath}\n`, {
    mode: 0o440,
  });
  run('visudo', ['-cf', sudoers]);

  const stopSession = async () => {
    // runuser forwards SIGTERM to the daemon it runs.
    await Promise.all(daemons.map((d) => terminate(d, 3000)));
    daemons = [];
    rmSync(bus, { force: true });
  };
  return {
    name,
    uid,
    gid,
    home,
    env,
    stopSession,
    async stop() {
      await stopSession();
      rmSync(sudoers, { force: true });
      spawnSync('userdel', ['-r', name]);
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(25);
  }
  throw new Error(`${what} did not come up`);
}
