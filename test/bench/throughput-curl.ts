// The application side of every path: curl in a client netns, timed by its own clock (name lookup to
// last byte), and every byte checked — downloads once through a hashing sink, uploads by the sink's
// answer on every timed run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ClientNetns } from '../harness/client-netns.js';
import { tool } from '../harness/netns.js';
import { parseUploadResult } from '../harness/upload-sink.js';

export interface Transfer {
  bytes: number;
  seconds: number;
  /** MB/s, 10^6 bytes per second. */
  mbps: number;
}

function curlArgs(url: string): string[] {
  return ['-sS', '--max-time', '60', ...(url.startsWith('https:') ? ['-k'] : [])];
}

/** One timed download of `size` bytes to /dev/null. */
export async function download(ns: ClientNetns, url: string, size: number): Promise<Transfer> {
  const r = await ns.exec(
    tool('curl'),
    [...curlArgs(url), '-o', '/dev/null', '-w', '%{size_download} %{time_total}', url],
    { timeoutMs: 70_000 },
  );
  const [bytesText, secondsText] = r.stdout.trim().split(' ');
  const bytes = Number(bytesText);
  const seconds = Number(secondsText);
  if (bytes !== size) throw new Error(`${url} from ${ns.name}: ${bytes} bytes, expected ${size}`);
  return { bytes, seconds, mbps: bytes / seconds / 1e6 };
}

/**
 * One timed upload (PUT) of `file` into the sink; curl's clock runs until the sink's answer, which it
 * sends after the last byte with the length and sha256 it got — so every timed upload is checked too.
 * "Expect:" off: no 100-continue round trip before the body.
 */
export async function upload(
  ns: ClientNetns,
  url: string,
  file: string,
  sha256: string,
  size: number,
): Promise<Transfer> {
  const r = await ns.exec(
    tool('curl'),
    [...curlArgs(url), '--fail', '-H', 'Expect:', '-T', file, '-w', '\n%{size_upload} %{time_total}', url],
    { timeoutMs: 70_000 },
  );
  const lines = r.stdout.trim().split('\n');
  const answer = parseUploadResult(lines[0] ?? '');
  const [bytesText, secondsText] = (lines[lines.length - 1] ?? '').split(' ');
  const bytes = Number(bytesText);
  const seconds = Number(secondsText);
  if (answer.bytes !== size || answer.sha256 !== sha256 || bytes !== size) {
    throw new Error(
      `upload to ${url} from ${ns.name}: sink got ${answer.bytes} bytes, sha256 ${answer.sha256}; expected ${size}, ${sha256}`,
    );
  }
  return { bytes, seconds, mbps: bytes / seconds / 1e6 };
}

/** One untimed download through a hashing sink: the bytes are right. Also returns curl's TLS line. */
export async function verify(ns: ClientNetns, url: string, sha256: string): Promise<string> {
  const child = spawn(tool('ip'), ['netns', 'exec', ns.name, tool('curl'), ...curlArgs(url), '-v', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hash = createHash('sha256');
  let err = '';
  child.stdout.on('data', (d: Buffer) => hash.update(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 70_000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  const got = hash.digest('hex');
  if (code !== 0 || got !== sha256)
    throw new Error(
      `verify ${url} from ${ns.name}: exit ${code}, sha256 ${got}, expected ${sha256}\n${err.slice(-2000)}`,
    );
  return /SSL connection using ([^\n]+)/.exec(err)?.[1]?.trim() ?? '';
}
