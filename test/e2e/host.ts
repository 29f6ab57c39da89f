// Starts the e2e fixture process (test/browser-host/e2e-main.ts under tsx) and reads what it offers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface E2eHost {
  readonly url: string;
  readonly exportsDir: string;
  readonly keychain: 'keytar' | 'memory';
  readonly softether: { host: string; port: number; username: string; password: string; sha256: string } | null;
  readonly skip: string | null;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startE2eHost(): Promise<E2eHost> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/browser-host/e2e-main.ts'], {
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
  const info = JSON.parse(first) as Omit<E2eHost, 'stop'>;
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
