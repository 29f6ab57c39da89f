// Asking for a password on a terminal without echoing it. The terminal is put in raw mode for the
// duration (so the kernel echoes nothing and we see each key), and put back on every way out: Enter,
// Ctrl-C, Ctrl-D, end of input, an error. Raw mode also turns Ctrl-C into a byte rather than SIGINT,
// so it is handled here as "cancelled". If the process is killed meanwhile, Node's own exit path
// restores the terminal mode it changed.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A readable that may be a terminal (process.stdin is a tty.ReadStream on a TTY). */
export type MaybeTerminal = Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (mode: boolean) => unknown };

export type PromptResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: 'cancelled' | 'end-of-input' | 'too-long' | 'not-a-terminal' };

export const MAX_SECRET_BYTES = 4096;

export function isTerminal(input: Readable): input is MaybeTerminal & { setRawMode: (mode: boolean) => unknown } {
  const t = input as MaybeTerminal;
  return t.isTTY === true && typeof t.setRawMode === 'function';
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const BACKSPACE = new Set(['\x7f', '\b']);
const ESC = '\x1b';

export function promptSecret(input: Readable, write: (text: string) => void, prompt: string): Promise<PromptResult> {
  if (!isTerminal(input)) return Promise.resolve({ ok: false, reason: 'not-a-terminal' });
  const wasRaw = input.isRaw === true;
  const decoder = new StringDecoder('utf8');
  let chars: string[] = [];
  // Arrow keys and the like arrive as ESC [ … final-byte; none of it belongs in a password.
  let inEscape = false;

  return new Promise<PromptResult>((resolve) => {
    let finished = false;
    const finish = (r: PromptResult) => {
      if (finished) return;
      finished = true;
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.setRawMode(wasRaw);
      input.pause();
      write('\n');
      chars = [];
      resolve(r);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (const ch of text) {
        if (inEscape) {
          if (/[A-Za-z~]/.test(ch)) inEscape = false;
          continue;
        }
        if (ENTER.has(ch)) return finish({ ok: true, value: chars.join('') });
        if (ch === CTRL_C) return finish({ ok: false, reason: 'cancelled' });
        if (ch === CTRL_D) {
          if (chars.length === 0) return finish({ ok: false, reason: 'end-of-input' });
          return finish({ ok: true, value: chars.join('') });
        }
        if (ch === CTRL_U) chars = [];
        else if (BACKSPACE.has(ch)) chars.pop();
        else if (ch === ESC) inEscape = true;
        else if (ch >= ' ') {
          chars.push(ch);
          if (Buffer.byteLength(chars.join('')) > MAX_SECRET_BYTES) return finish({ ok: false, reason: 'too-long' });
        }
      }
    };
    const onEnd = () => finish({ ok: false, reason: 'end-of-input' });
    const onError = () => finish({ ok: false, reason: 'cancelled' });
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    // Raw first, prompt second: keys typed as soon as the prompt shows must not be echoed.
    try {
      input.setRawMode(true);
    } catch {
      return finish({ ok: false, reason: 'not-a-terminal' });
    }
    write(prompt);
    input.resume();
  });
}

/** Wording for a prompt that did not give a password. */
export function promptFailureMessage(reason: Exclude<PromptResult, { ok: true }>['reason']): string {
  switch (reason) {
    case 'cancelled':
      return 'cancelled at the password prompt';
    case 'end-of-input':
      return 'no password was typed (end of input at the prompt)';
    case 'too-long':
      return `the password is longer than ${MAX_SECRET_BYTES} bytes`;
    case 'not-a-terminal':
      return 'standard input is not a terminal, so the password cannot be asked for; give it with --password-stdin';
  }
}
