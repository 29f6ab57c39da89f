// RouterOS export text → commands. An export is a sequence of statements; a statement may continue on
// the next line after a trailing backslash; "#" starts a comment line; a statement starting with "/"
// changes the current menu ("/interface sstp-client", v7 also "/interface/sstp-client/add …") and may
// carry a command on the same line. Values are bare words or "quoted" with backslash escapes.
import { endsWithContinuation } from './continuation.js';

export interface RouterOsParam {
  readonly key: string;
  readonly value: string;
}

export interface RouterOsCommand {
  readonly line: number;
  /** The menu the command runs in, e.g. "interface sstp-client". */
  readonly menu: string;
  readonly verb: string;
  readonly params: readonly RouterOsParam[];
  /** Tokens that were not key=value (find expressions, positional arguments). */
  readonly positional: readonly string[];
}

export interface RouterOsScript {
  readonly commands: readonly RouterOsCommand[];
  /** Lines whose quotes or brackets never closed. */
  readonly broken: readonly number[];
}

const VERBS = new Set([
  'add',
  'set',
  'remove',
  'print',
  'export',
  'enable',
  'disable',
  'edit',
  'find',
  'comment',
  'unset',
  'reset',
  'monitor',
  'move',
]);

/** Joins continuation lines; each statement keeps the number of the line it starts on. */
function statements(lines: readonly string[]): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; parts: string[] } | undefined;
  lines.forEach((raw, index) => {
    const text = pending ? raw.trimStart() : raw.trim();
    if (!pending && (text === '' || text.startsWith('#'))) return;
    const trimmed = text.trimEnd();
    const continues = endsWithContinuation(trimmed);
    const body = continues ? trimmed.slice(0, -1) : trimmed;
    if (pending) pending.parts.push(body);
    else pending = { line: index + 1, parts: [body] };
    if (!continues) {
      out.push({ line: pending.line, text: pending.parts.join('') });
      pending = undefined;
    }
  });
  if (pending) out.push({ line: pending.line, text: pending.parts.join('') });
  return out;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  _: ' ',
  '"': '"',
  '\\': '\\',
  $: '$',
  '?': '?',
};

type Token =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'param'; readonly key: string; readonly value: string };

/** Splits a statement into words and key=value params; undefined when a quote or bracket never closes. */
export function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  const readQuoted = (): string | undefined => {
    // text[i] is the opening quote.
    let out = '';
    i++;
    while (i < text.length) {
      const c = text[i] ?? '';
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const next = text[i + 1] ?? '';
        const hex = /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3)) ? text.slice(i + 1, i + 3) : undefined;
        if (hex) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 3;
        } else {
          out += ESCAPES[next] ?? next;
          i += 2;
        }
        continue;
      }
      out += c;
      i++;
    }
    return undefined;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '[') {
      // A [ find … ] expression: kept whole, brackets and quotes balanced.
      const start = i;
      let depth = 0;
      let inQuote = false;
      for (; i < text.length; i++) {
        const d = text[i];
        if (inQuote) {
          if (d === '\\') i++;
          else if (d === '"') inQuote = false;
        } else if (d === '"') inQuote = true;
        else if (d === '[') depth++;
        else if (d === ']' && --depth === 0) break;
      }
      if (depth !== 0 || i >= text.length) return undefined;
      i++;
      tokens.push({ kind: 'word', text: text.slice(start, i) });
      continue;
    }
    if (c === '"') {
      const q = readQuoted();
      if (q === undefined) return undefined;
      tokens.push({ kind: 'word', text: q });
      continue;
    }
    let word = '';
    while (i < text.length && !/\s/.test(text[i] ?? '') && text[i] !== '=' && text[i] !== '"') word += text[i++];
    if (text[i] === '=') {
      i++;
      let value = '';
      if (text[i] === '"') {
        const q = readQuoted();
        if (q === undefined) return undefined;
        value = q;
      } else {
        while (i < text.length && !/\s/.test(text[i] ?? '')) value += text[i++];
      }
      tokens.push({ kind: 'param', key: word, value });
    } else if (word !== '') tokens.push({ kind: 'word', text: word });
    else i++; // a stray quote glued to a word: skip it rather than loop
  }
  return tokens;
}

export function readRouterOs(lines: readonly string[]): RouterOsScript {
  const commands: RouterOsCommand[] = [];
  const broken: number[] = [];
  let menu = '';
  for (const st of statements(lines)) {
    if (st.text.startsWith(':')) continue; // scripting (:global, :if …) is not configuration
    const tokens = tokenize(st.text);
    if (!tokens) {
      broken.push(st.line);
      continue;
    }
    let rest = tokens;
    let verb: string | undefined;
    const first = tokens[0];
    if (first?.kind === 'word' && first.text.startsWith('/')) {
      const path: string[] = [];
      let k = 0;
      for (; k < tokens.length && verb === undefined; k++) {
        const t = tokens[k];
        if (t?.kind !== 'word' || t.text.startsWith('[')) break;
        for (const seg of t.text.split('/').filter((s) => s !== '')) {
          if (VERBS.has(seg)) verb = seg;
          else if (verb === undefined) path.push(seg);
        }
      }
      menu = path.join(' ');
      rest = tokens.slice(k);
    } else if (first?.kind === 'word') {
      verb = first.text;
      rest = tokens.slice(1);
    }
    if (verb === undefined) continue;
    const params: RouterOsParam[] = [];
    const positional: string[] = [];
    for (const t of rest) {
      if (t.kind === 'param') params.push({ key: t.key, value: t.value });
      else positional.push(t.text);
    }
    commands.push({ line: st.line, menu, verb, params, positional });
  }
  return { commands, broken };
}
