// A private, throwaway Secret Service for keychain tests: a session bus of our own (no service
// activation, so nothing else can answer and no GUI prompter is ever started) and gnome-keyring-daemon
// on it, unlocked with a known password or left locked. Works from a plain root shell with no bus.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PrivateKeyring {
  /** Environment for processes that should use this keyring. */
  readonly env: NodeJS.ProcessEnv;
  readonly busAddress: string;
  /** Where gnome-keyring keeps its files (to check secrets are not stored in clear). */
  readonly home: string;
  /** Locks the login collection, as a screen lock or `secret-tool lock` would. */
  lock(): void;
  /** Stops gnome-keyring-daemon and starts a new one on the same files (a logout/login, a crash). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const busConfig = (
  socket: string,
): string => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

export function keyringToolsPresent(): boolean {
  return ['dbus-daemon', 'gnome-keyring-daemon', 'dbus-send'].every(
    (b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0,
  );
}

/**
 * `unlock`: start the login keyring unlocked with a known password. `secretService: false` starts the
 * bus alone, so nothing on it provides org.freedesktop.secrets (a desktop without any keyring).
 */
export async function startPrivateKeyring(opts: { unlock: boolean; secretService?: boolean }): Promise<PrivateKeyring> {
  const home = await mkdtemp(join(tmpdir(), 'causeway-keyring-'));
  const socket = join(home, 'bus');
  const config = join(home, 'bus.conf');
  await writeFile(config, busConfig(socket));
  const base: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_DATA_HOME: join(home, 'data'),
  };

  const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], {
    env: base,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [chunk] = (await once(bus.stdout!, 'data')) as [Buffer];
  const busAddress = chunk.toString().trim().split('\n')[0] ?? '';
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: busAddress };

  const startDaemon = async (): Promise<ChildProcess> => {
    const daemon = spawn(
      'gnome-keyring-daemon',
      ['--foreground', '--components=secrets', ...(opts.unlock ? ['--unlock'] : [])],
      {
        env,
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    // --unlock reads the login keyring password from stdin up to EOF.
    daemon.stdin!.end(opts.unlock ? 'causeway-test-login' : '');
    await waitForName(env, 'org.freedesktop.secrets', daemon);
    return daemon;
  };
  let keyring: ChildProcess | undefined = opts.secretService === false ? undefined : await startDaemon();

  return {
    env,
    busAddress,
    home,
    lock() {
      const r = spawnSync(
        'dbus-send',
        [
          '--session',
          '--print-reply',
          '--dest=org.freedesktop.secrets',
          '/org/freedesktop/secrets',
          'org.freedesktop.Secret.Service.Lock',
          'array:objpath:/org/freedesktop/secrets/collection/login',
        ],
        { env, encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`could not lock the keyring: ${r.stderr}`);
    },
    async restart() {
      if (keyring) await terminate(keyring);
      await waitForNameGone(env, 'org.freedesktop.secrets');
      keyring = await startDaemon();
    },
    async stop() {
      await Promise.all([keyring ? terminate(keyring) : undefined, terminate(bus)]);
      await rm(home, { recursive: true, force: true });
    },
  };
}

async function waitForName(env: NodeJS.ProcessEnv, name: string, daemon: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (daemon.exitCode !== null) throw new Error(`gnome-keyring-daemon exited with ${daemon.exitCode}`);
    const r = spawnSync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        `string:${name}`,
      ],
      { env, encoding: 'utf8' },
    );
    if (r.stdout.includes('boolean true')) return;
    await sleep(25);
  }
  throw new Error(`${name} did not appear on the private bus`);
}

async function waitForNameGone(env: NodeJS.ProcessEnv, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = spawnSync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        `string:${name}`,
      ],
      { env, encoding: 'utf8' },
    );
    if (r.stdout.includes('boolean false')) return;
    await sleep(25);
  }
  throw new Error(`${name} is still owned on the private bus`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function terminate(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
