// A private tinyproxy on 127.0.0.1 for HTTP-proxy (CONNECT) tests. It runs in the host netns, so it
// reaches a SoftEther server from startSoftEther() at its `host` address over the veth.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { debug, tool, waitFor, waitForTcpPort } from './netns.js';
import { makeOwnedDir } from './state.js';

export interface TinyproxyOptions {
  /** Fixed port; a free one is picked when omitted. */
  port?: number;
  /** Require Proxy-Authorization: Basic (tinyproxy answers 407 otherwise). */
  basicAuth?: { user: string; password: string };
}

export interface Tinyproxy {
  /** http://127.0.0.1:<port> (credentials are not part of it). */
  url: string;
  host: string;
  port: number;
  /** tinyproxy's process id (for leak checks). */
  pid: number;
  stop(): Promise<void>;
  /** tinyproxy's log file so far (kept after stop()). */
  log(): string;
}

// tinyproxy's config syntax has no quoting for BasicAuth, so keep credentials to plain tokens.
const TOKEN = /^[A-Za-z0-9._~!$&'()*+,;=-]+$/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from the OS'));
      });
    });
  });
}

function config(dir: string, port: number, auth: TinyproxyOptions['basicAuth']): string {
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 600',
    `LogFile "${join(dir, 'tinyproxy.log')}"`,
    'LogLevel Info',
    'MaxClients 100',
    'Allow 127.0.0.1',
    'ConnectPort 443',
    'DisableViaHeader Yes',
  ];
  if (auth !== undefined) lines.push(`BasicAuth ${auth.user} ${auth.password}`);
  return `${lines.join('\n')}\n`;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function launch(dir: string, port: number, opts: TinyproxyOptions): Promise<Tinyproxy> {
  const confPath = join(dir, 'tinyproxy.conf');
  const logPath = join(dir, 'tinyproxy.log');
  writeFileSync(confPath, config(dir, port, opts.basicAuth), { mode: 0o600 });
  // Foreground (-d) child in its own process group; the parent-death signal ends it if we get SIGKILLed.
  const child = spawn(tool('setpriv'), ['--pdeathsig', 'KILL', '--', tool('tinyproxy'), '-d', '-c', confPath], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn tinyproxy');
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // The pipe would keep the event loop alive after a forgotten stop(); the exit hook covers that case.
  if (child.stderr instanceof Socket) child.stderr.unref();

  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  let finalLog: string | undefined;
  const killGroup = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const unregister = onProcessExit(() => {
    killGroup();
    rmSync(dir, { recursive: true, force: true });
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited(child)) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          // already gone
        }
        try {
          await waitFor('tinyproxy to exit', () => exited(child), 2_000, 10);
        } catch {
          killGroup();
          await waitFor('tinyproxy to exit after SIGKILL', () => exited(child), 2_000, 10);
        }
      }
      finalLog = readLog();
      rmSync(dir, { recursive: true, force: true });
      unregister();
    })();
    return stopping;
  };

  try {
    await waitForTcpPort('127.0.0.1', port, {
      timeoutMs: 5_000,
      check: () => {
        if (exited(child)) throw new Error(`tinyproxy exited at startup: ${stderr.trim()}\n${readLog()}`);
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  debug(`tinyproxy pid ${pid} on 127.0.0.1:${port}${opts.basicAuth ? ' (basic auth)' : ''}`);
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    pid,
    stop,
    log: () => finalLog ?? readLog(),
  };
}

/** Starts tinyproxy allowing CONNECT to port 443 from loopback; stop() it when done. */
export async function startTinyproxy(opts: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const auth = opts.basicAuth;
  if (auth !== undefined && !(TOKEN.test(auth.user) && TOKEN.test(auth.password))) {
    throw new Error('tinyproxy BasicAuth user and password must be plain tokens (no spaces or quotes)');
  }
  // A port picked by probing can be taken before tinyproxy binds it: pick again a few times.
  const attempts = opts.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort());
    const dir = makeOwnedDir('tinyproxy');
    try {
      return await launch(dir, port, opts);
    } catch (error) {
      lastError = error;
      debug(`tinyproxy on port ${port} failed: ${String(error)}`);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

export interface ChallengeProxy {
  url: string;
  host: string;
  port: number;
  /** CONNECT request heads received (for asserting what the client sent). */
  readonly requests: string[];
  stop(): Promise<void>;
}

/**
 * A proxy that answers every CONNECT with 407 and the given Proxy-Authenticate schemes (e.g. only
 * NTLM and Negotiate, as a Windows proxy does): what tinyproxy cannot play.
 */
export async function startChallengeProxy(schemes: readonly string[]): Promise<ChallengeProxy> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      requests.push(head.slice(0, head.indexOf('\r\n\r\n')));
      const lines = [
        'HTTP/1.1 407 Proxy Authentication Required',
        ...schemes.map((s) => `Proxy-Authenticate: ${s}`),
        'Content-Length: 0',
        'Connection: close',
        '',
        '',
      ];
      socket.end(lines.join('\r\n'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
