// Building warnings and errors that name file and line, and that are safe to print: a hostile file must
// not be able to forge terminal output through a file name or a quoted value.
import { LIMITS, type Diagnostic, type ImportError, type ImportWarning } from './types.js';

/** Control characters, DEL, C1 controls and the bidirectional overrides that can disguise text. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function stripUnprintable(s: string): string {
  return s.replace(UNPRINTABLE, '');
}

/** The base name of a path, unprintables replaced, shortened: what messages call the file. */
export function displayFileName(fileName: string): string {
  const base =
    fileName
      .split(/[\\/]/)
      .filter((p) => p !== '')
      .pop() ?? '';
  const clean = base.replace(UNPRINTABLE, '?');
  const short = clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
  return short === '' ? '(input)' : short;
}

/** Text for a message with every unprintable character shown as \uXXXX. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value from the file, quoted for a message: escapes control characters, shortens long values. */
export function quote(value: string): string {
  const short = value.length > LIMITS.maxQuoted ? `${value.slice(0, LIMITS.maxQuoted)}…` : value;
  return printable(JSON.stringify(short));
}

export function diagnostic(file: string, line: number, message: string): Diagnostic {
  return { file, line, message, text: line > 0 ? `${file}:${line}: ${message}` : `${file}: ${message}` };
}

type SimpleCode = Exclude<ImportError['code'], 'too-large' | 'no-profiles'>;

export function importError(code: SimpleCode, file: string, line: number, message: string): ImportError {
  return { code, ...diagnostic(file, line, message) };
}

/** Collects warnings for one file, bounded so that a file of a million bad lines yields a short list. */
export class Warnings {
  readonly #file: string;
  readonly #list: ImportWarning[] = [];
  #dropped = 0;

  constructor(file: string) {
    this.#file = file;
  }

  get file(): string {
    return this.#file;
  }

  add(line: number, message: string): void {
    if (this.#list.length < LIMITS.maxWarnings) this.#list.push(diagnostic(this.#file, line, message));
    else this.#dropped++;
  }

  /** One warning for a run of similar lines: the first is named, the rest counted. */
  addLines(lines: readonly number[], message: string): void {
    const first = lines[0];
    if (first === undefined) return;
    const more = lines.length - 1;
    this.add(first, more > 0 ? `${message} (and ${more} more such line${more === 1 ? '' : 's'})` : message);
  }

  /** In file order, so a person can read them alongside the file; whole-file remarks last. */
  list(): ImportWarning[] {
    const sorted = [...this.#list].sort(
      (a, b) => (a.line || Number.MAX_SAFE_INTEGER) - (b.line || Number.MAX_SAFE_INTEGER),
    );
    if (this.#dropped === 0) return sorted;
    return [
      ...sorted,
      diagnostic(this.#file, 0, `${this.#dropped} more warning${this.#dropped === 1 ? '' : 's'} not shown`),
    ];
  }
}
