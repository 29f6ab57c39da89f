// Starts the e2e fixture processes (test/browser-host/e2e-*.ts under tsx, on main/browser-host) and reads what they offer.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface E2eHost {
  readonly url: string;
  readonly exportsDir: string;
  /** The host's data home: config/profiles.json, config/ca/, config/host-settings.json, state/logs/. */
  readonly dataDir: string;
  readonly keychain: 'keyring' | 'absent' | 'memory';
  readonly softether: { host: string; port: number; username: string; password: string; sha256: string } | null;
  readonly skip: string | null;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `keychain: 'absent'`: a session bus on which no Secret Service runs (a desktop without a keyring). */
export function startE2eHost(opts: { server?: boolean; keychain?: 'absent' } = {}): Promise<E2eHost> {
  return startFixture<Omit<E2eHost, 'stop'>>('test/browser-host/e2e-main.ts', {
    ...(opts.server === false ? { CAUSEWAY_E2E_NO_SERVER: '1' } : {}),
    ...(opts.keychain ? { CAUSEWAY_E2E_KEYCHAIN: opts.keychain } : {}),
  });
}

/** What the real-tunnel fixture (e2e-netns-main.ts) offers; everything but `skip` is absent when skipped. */
export interface NetnsE2eHost {
  readonly url: string;
  readonly netns: string;
  readonly bridgeAddress: string;
  readonly softether: { host: string; port: number; username: string; password: string; sha256: string };
  readonly skip: string | null;
  stop(): Promise<void>;
}

export function startNetnsE2eHost(env: Record<string, string>): Promise<NetnsE2eHost> {
  return startFixture<Omit<NetnsE2eHost, 'stop'>>('test/browser-host/e2e-netns-main.ts', env);
}

/** The strict-peer fixture (e2e-peer-main.ts): one profile "MFA lab" whose server holds its auth answer `delayMs`. */
export interface PeerE2eHost {
  readonly url: string;
  readonly delayMs: number;
  readonly dataDir: string;
  readonly skip: string | null;
  stop(): Promise<void>;
}

export function startPeerE2eHost(delayMs: number, opts: { otp?: boolean } = {}): Promise<PeerE2eHost> {
  return startFixture<Omit<PeerE2eHost, 'stop'>>('test/browser-host/e2e-peer-main.ts', {
    CAUSEWAY_E2E_AUTH_DELAY_MS: String(delayMs),
    ...(opts.otp ? { CAUSEWAY_E2E_OTP: '1' } : {}),
  });
}

/** Starts a fixture process under tsx and reads the one JSON line it prints when ready. */
async function startFixture<T>(
  entry: string,
  env: Record<string, string> = {},
): Promise<T & { stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the e2e host did not start within 200 s')), 200_000);
    lines.once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`the e2e host exited with ${code}`)));
  });
  const info = JSON.parse(first) as T;
  return {
    ...info,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}
