// Standard input as lines, for inputs that come one at a time over a long run: with --otp-stdin the
// password is the first line and each one-time code the next one, written when `otp-needed` says so.
// One reader per stream, so the password read and the code reads share what was buffered.
import type { Readable } from 'node:stream';
import { MAX_SECRET_BYTES } from './prompt-secret.js';

export class LineReader {
  private buffered = '';
  private ended = false;
  private waiting: (() => void) | undefined;

  constructor(private readonly input: Readable) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffered += chunk;
      this.wake();
    });
    input.on('end', () => {
      this.ended = true;
      this.wake();
    });
    input.on('error', () => {
      this.ended = true;
      this.wake();
    });
    // Read only while someone waits for a line: a stream left flowing would keep the process alive.
    input.pause();
  }

  /** The next line without its newline; undefined at the end of input. Throws on an absurdly long line. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl).replace(/\r$/, '');
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      if (this.buffered.length > MAX_SECRET_BYTES)
        throw new Error(`a line on standard input is longer than ${MAX_SECRET_BYTES} bytes`);
      if (this.ended) {
        const last = this.buffered;
        this.buffered = '';
        return last === '' ? undefined : last;
      }
      this.input.resume();
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.input.pause();
    }
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}

const readers = new WeakMap<Readable, LineReader>();

export function stdinLines(input: Readable): LineReader {
  let r = readers.get(input);
  if (!r) {
    r = new LineReader(input);
    readers.set(input, r);
  }
  return r;
}
