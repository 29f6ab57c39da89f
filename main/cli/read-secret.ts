// Reading a password without ever echoing or logging it: from a pipe (--password-stdin), or, when
// standard input is a terminal, from a prompt that does not echo.
import type { Readable } from 'node:stream';
import { isTerminal, MAX_SECRET_BYTES, promptFailureMessage, promptSecret } from './prompt-secret.js';

/** Reads all of a stream (stdin) and strips one trailing newline. */
export async function readPasswordFromStream(input: Readable, maxBytes = MAX_SECRET_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > maxBytes) throw new Error(`the password on standard input is longer than ${maxBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export type SecretRead =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly message: string; /** Ctrl-C at the prompt */ readonly cancelled: boolean };

/**
 * `--password-stdin`: a pipe is read to its end; a terminal gets a prompt without echo (reading a
 * terminal "to its end" would echo every key and wait for Ctrl-D).
 */
export async function readSecretInput(
  input: Readable,
  prompt: string,
  write: (text: string) => void = stderrWrite,
): Promise<SecretRead> {
  if (isTerminal(input)) {
    const r = await promptSecret(input, write, prompt);
    return r.ok ? r : { ok: false, message: promptFailureMessage(r.reason), cancelled: r.reason === 'cancelled' };
  }
  try {
    return { ok: true, value: await readPasswordFromStream(input) };
  } catch (e) {
    return { ok: false, message: (e as Error).message, cancelled: false };
  }
}

export function stderrWrite(text: string): void {
  process.stderr.write(text);
}
