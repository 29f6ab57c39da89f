// Reading a password without ever echoing or logging it.
import type { Readable } from 'node:stream';

/** Reads all of a stream (stdin) and strips one trailing newline. */
export async function readPasswordFromStream(input: Readable, maxBytes = 4096): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > maxBytes) throw new Error(`the password on standard input is longer than ${maxBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
