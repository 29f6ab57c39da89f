// Wireshark's tshark and dumpcap, as outside judges of what Causeway writes and sends.
import { spawn } from 'node:child_process';
import { run, type RunResult } from '../../harness/netns.js';

export async function tshark(args: readonly string[]): Promise<RunResult> {
  return run('tshark', ['-n', ...args], { timeoutMs: 60_000 });
}

export interface RawCapture {
  /** Stops dumpcap and waits until the file is complete. */
  stop(): Promise<void>;
}

/** dumpcap inside `netns` on every interface, TCP port 443 only; resolves once it is capturing. */
export function startRawCapture(netns: string, file: string): Promise<RawCapture> {
  const child = spawn('ip', ['netns', 'exec', netns, 'dumpcap', '-q', '-i', 'any', '-f', 'tcp port 443', '-w', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dumpcap did not start capturing: ${stderr}`));
    }, 15_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // dumpcap says "Capturing on 'any'" once the socket is open (before that, packets would be lost).
      if (/Capturing on/.test(stderr)) {
        clearTimeout(timer);
        resolve({
          stop: async () => {
            child.kill('SIGINT');
            await exited;
          },
        });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`dumpcap exited (${code ?? '?'}): ${stderr}`));
    });
  });
}
