// A private squid on 127.0.0.1 for proxy sign-in tests: Digest (digest_file_auth) or Basic
// (basic_ncsa_auth), what enterprise proxies ask for and tinyproxy cannot play (it has no Digest).
// Debian's squid service is disabled by setup-debian.sh; this runs squid -N with its own config,
// logs and pid file in a directory of its own, on a free loopback port.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { debug, tool, waitFor, waitForTcpPort } from './netns.js';

export interface SquidOptions {
  readonly auth: 'digest' | 'basic';
  readonly user: string;
  readonly password: string;
  /** Digest realm (also the Basic realm). */
  readonly realm?: string;
}

export interface Squid {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** access.log so far: one line per request, with the user name once signed in. */
  accessLog(): string;
  stop(): Promise<void>;
}

const HELPERS = '/usr/lib/squid';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => (a !== null && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** squid drops to this user after reading its config: it must own the directory it writes to. */
function proxyIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'proxy'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'proxy'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function config(dir: string, port: number, o: SquidOptions): string {
  const realm = o.realm ?? 'causeway-test';
  const auth =
    o.auth === 'digest'
      ? [
          `auth_param digest program ${HELPERS}/digest_file_auth -c ${join(dir, 'digest.pw')}`,
          `auth_param digest realm ${realm}`,
          'auth_param digest children 1 startup=1 idle=1',
        ]
      : [
          `auth_param basic program ${HELPERS}/basic_ncsa_auth ${join(dir, 'basic.pw')}`,
          `auth_param basic realm ${realm}`,
          'auth_param basic children 1 startup=1 idle=1',
        ];
  return [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log stdio:${join(dir, 'cache.log')}`,
    `access_log stdio:${join(dir, 'access.log')}`,
    'cache_store_log none',
    'cache deny all',
    'cache_mem 1 MB',
    `coredump_dir ${dir}`,
    'netdb_filename none',
    'shutdown_lifetime 0 seconds',
    'workers 1',
    ...auth,
    'acl authed proxy_auth REQUIRED',
    'acl SSL_ports port 443',
    'http_access deny CONNECT !SSL_ports',
    'http_access allow authed',
    'http_access deny all',
    '',
  ].join('\n');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function startSquid(o: SquidOptions): Promise<Squid> {
  const realm = o.realm ?? 'causeway-test';
  const dir = mkdtempSync(join(tmpdir(), `causeway-squid-${process.pid}-`));
  const ids = proxyIds();
  // digest_file_auth -c: user:realm:HA1, so the password is not even stored in the clear here.
  const ha1 = createHash('md5').update(`${o.user}:${realm}:${o.password}`).digest('hex');
  writeFileSync(join(dir, 'digest.pw'), `${o.user}:${realm}:${ha1}\n`, { mode: 0o600 });
  execFileSync(tool('htpasswd'), ['-cbm', join(dir, 'basic.pw'), o.user, o.password], { stdio: 'ignore' });
  const port = await freePort();
  const conf = join(dir, 'squid.conf');
  writeFileSync(conf, config(dir, port, o), { mode: 0o644 });
  for (const f of ['', 'digest.pw', 'basic.pw', 'squid.conf']) chownSync(join(dir, f), ids.uid, ids.gid);

  const child = spawn(tool('setpriv'), ['--pdeathsig', 'KILL', '--', tool('squid'), '-N', '-f', conf], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn squid');
  child.unref();
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  if (child.stderr instanceof Socket) child.stderr.unref();
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  const unregister = onProcessExit(() => {
    kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let finalAccess: string | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited(child)) {
        kill('SIGTERM');
        try {
          await waitFor('squid to exit', () => exited(child), 5_000, 20);
        } catch {
          kill('SIGKILL');
          await waitFor('squid to exit after SIGKILL', () => exited(child), 2_000, 20);
        }
      }
      finalAccess = read('access.log');
      rmSync(dir, { recursive: true, force: true });
      unregister();
    })());
  try {
    await waitForTcpPort('127.0.0.1', port, {
      timeoutMs: 15_000,
      check: () => {
        if (exited(child)) throw new Error(`squid exited at startup: ${stderr.trim()}\n${read('cache.log')}`);
      },
    });
  } catch (e) {
    await stop();
    throw e;
  }
  debug(`squid pid ${pid} on 127.0.0.1:${port} (${o.auth})`);
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    pid,
    accessLog: () => finalAccess ?? read('access.log'),
    stop,
  };
}
