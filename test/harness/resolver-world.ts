// A private "machine" for resolver tests: a mount namespace inside a client network namespace, held
// open by one sleeping process that every later command enters (nsenter -t PID -m -n). Inside, /etc
// is an overlay (writes land in a tmpfs, so /etc/resolv.conf can be a real symlink or a renamed
// file), /run is a fresh tmpfs (the system bus socket, resolved's and resolvconf's run files, the
// helper's journal), /sys is this netns's, and an extracted package can be laid over /usr. Nothing
// done in here is visible to the machine: its /etc/resolv.conf is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { run, tool, type RunResult } from './netns.js';
import { makeOwnedDir } from './state.js';

export interface WorldOptions {
  /** The client network namespace (ip netns name) the world lives in. */
  readonly netns: string;
  /** Extracted package roots laid over /etc, /usr/bin, /usr/sbin and /usr/lib (their /lib and /sbin too). */
  readonly overlays?: readonly string[];
  /** Shell lines run last while setting up (root, inside): write config, make resolv.conf a symlink. */
  readonly setup?: readonly string[];
}

export interface ResolverWorld {
  readonly pid: number;
  readonly dir: string;
  /** Argument prefix that runs a program inside the world. */
  readonly prefix: readonly string[];
  exec(
    file: string,
    args: readonly string[],
    options?: { allowFailure?: boolean; timeoutMs?: number },
  ): Promise<RunResult>;
  /** `sh -c` inside, for the tests' own inspection. */
  sh(script: string): Promise<string>;
  /** A long-running program inside (a daemon), killed by stop(). */
  daemon(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess;
  stop(): Promise<void>;
}

export async function startResolverWorld(options: WorldOptions): Promise<ResolverWorld> {
  const dir = makeOwnedDir('resolver-world');
  const upper = join(dir, 'tmp');
  mkdirSync(upper, { mode: 0o700 });
  const lay = (target: string, subdirs: readonly string[]): string[] => {
    const lowers = (options.overlays ?? []).flatMap((root) => subdirs.map((s) => join(root, s))).filter(existsSync);
    return lowers.length === 0
      ? []
      : [`mount -t overlay overlay -o "lowerdir=${[...lowers, target].join(':')}" ${target}`];
  };
  const script = [
    'set -e',
    'mount --make-rprivate /',
    `mount -t tmpfs -o mode=0700 cw-world "${upper}"`,
    `mkdir -p "${upper}/etc" "${upper}/work"`,
    `mount -t overlay overlay -o "lowerdir=${[...(options.overlays ?? []).map((r) => join(r, 'etc')).filter(existsSync), '/etc'].join(':')},upperdir=${upper}/etc,workdir=${upper}/work" /etc`,
    ...lay('/usr/bin', ['usr/bin', 'bin']),
    ...lay('/usr/sbin', ['usr/sbin', 'sbin']),
    ...lay('/usr/lib', ['usr/lib', 'lib']),
    'mount -t tmpfs -o mode=0755 cw-run /run',
    'mkdir -p /run/dbus /run/lock',
    'mount -t sysfs sysfs /sys',
    ...(options.setup ?? []),
    'echo ready',
    'exec sleep 2147483647',
  ].join('\n');
  writeFileSync(join(dir, 'world.sh'), script);
  const holder = spawn(
    tool('nsenter'),
    [
      `--net=/run/netns/${options.netns}`,
      tool('unshare'),
      '-m',
      '--propagation',
      'private',
      '/bin/sh',
      join(dir, 'world.sh'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const unregister = onProcessExit(() => holder.kill('SIGKILL'));
  let err = '';
  holder.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`resolver world setup failed (exit ${code}): ${err.trim()}`)));
  });
  const pid = holder.pid ?? 0;
  const prefix = [tool('nsenter'), '-t', String(pid), '-m', '-n'];
  const daemons: ChildProcess[] = [];
  const world: ResolverWorld = {
    pid,
    dir,
    prefix,
    exec: (file, args, o = {}) => run(prefix[0] ?? 'nsenter', [...prefix.slice(1), file, ...args], o),
    sh: async (s) => (await world.exec('/bin/sh', ['-c', s])).stdout,
    daemon(file, args, env) {
      const child = spawn(prefix[0] ?? 'nsenter', [...prefix.slice(1), file, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      daemons.push(child);
      return child;
    },
    async stop() {
      for (const d of daemons.reverse()) {
        d.kill('SIGTERM');
        await new Promise((r) => (d.exitCode !== null || d.signalCode !== null ? r(null) : d.once('exit', r)));
      }
      holder.kill('SIGKILL');
      unregister();
      await run(tool('rm'), ['-rf', dir], { allowFailure: true });
    },
  };
  return world;
}
