// A POSIX-shell-like word splitter for command lines we read but never run: quotes, backslashes,
// comments and backslash-newline continuations. Expansions ($VAR, $(…), `…`) cannot be resolved without
// running a shell, so words containing them are marked; shell operators end the command.
import { endsWithContinuation } from './continuation.js';

export interface ShellWord {
  readonly text: string;
  /** The word contains $… or `…`, so its real value is only known to the shell that would run it. */
  readonly expands: boolean;
}

export interface ShellCommand {
  readonly line: number;
  readonly words: readonly ShellWord[];
  /** An unquoted ; | & < > ended the first command; the rest of the line is not read. */
  readonly truncated: boolean;
}

export type SplitResult =
  | { readonly ok: true; readonly command: ShellCommand }
  | { readonly ok: false; readonly line: number; readonly reason: string };

/** Joins backslash-newline continuations; drops blank and comment-only lines. */
export function logicalLines(lines: readonly string[]): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  lines.forEach((raw, index) => {
    // A comment ends at its newline even when it ends in a backslash.
    if (!pending && raw.trimStart().startsWith('#')) return;
    const continues = endsWithContinuation(raw);
    const body = continues ? raw.slice(0, -1) : raw;
    if (pending) pending.text += body;
    else pending = { line: index + 1, text: body };
    if (!continues) {
      if (pending.text.trim() !== '') out.push(pending);
      pending = undefined;
    }
  });
  if (pending && pending.text.trim() !== '') out.push(pending);
  return out;
}

export function splitWords(line: number, text: string): SplitResult {
  const words: ShellWord[] = [];
  let word = '';
  let inWord = false;
  let expands = false;
  let i = 0;
  const end = (): void => {
    if (inWord) words.push({ text: word, expands });
    word = '';
    inWord = false;
    expands = false;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t') {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === ';' || c === '|' || c === '&' || c === '<' || c === '>') {
      end();
      return { ok: true, command: { line, words, truncated: true } };
    } else if (c === '\\') {
      word += text[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return { ok: false, line, reason: 'unclosed single quote' };
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= text.length) return { ok: false, line, reason: 'unclosed double quote' };
        const d = text[i] ?? '';
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && '"\\$`'.includes(text[i + 1] ?? '')) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') expands = true;
        word += d;
        i++;
      }
    } else {
      if (c === '$' || c === '`') expands = true;
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return { ok: true, command: { line, words, truncated: false } };
}
