// Reading `gsettings list-recursively` output: one "schema key value" line per key, the value in
// GVariant text form. Only what org.gnome.system.proxy uses: strings, integers, booleans and string
// arrays ("as"); anything else is kept as undefined so the caller says which key it could not read.
export type GValue = string | number | boolean | readonly string[];

/** Parses one GVariant text value of the kinds above, or undefined. */
export function parseGValue(text: string): GValue | undefined {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+$/.test(t)) return Number(t);
  if (t.startsWith("'") || t.startsWith('"')) {
    const r = readString(t, 0);
    return r && r.end === t.length ? r.value : undefined;
  }
  const body = t.replace(/^@as\s+/, '');
  if (!body.startsWith('[') || !body.endsWith(']')) return undefined;
  const out: string[] = [];
  let i = 1;
  const skip = () => {
    while (body[i] === ' ') i++;
  };
  skip();
  if (body[i] === ']') return i === body.length - 1 ? out : undefined;
  for (;;) {
    skip();
    const r = readString(body, i);
    if (!r) return undefined;
    out.push(r.value);
    i = r.end;
    skip();
    if (body[i] === ']') return i === body.length - 1 ? out : undefined;
    if (body[i] !== ',') return undefined;
    i++;
  }
}

function readString(s: string, at: number): { value: string; end: number } | undefined {
  const q = s[at];
  if (q !== "'" && q !== '"') return undefined;
  let v = '';
  for (let i = at + 1; i < s.length; i++) {
    const c = s[i];
    if (c === q) return { value: v, end: i + 1 };
    if (c === '\\') {
      const n = s[++i];
      if (n === undefined) return undefined;
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
      const u = /^u([0-9a-fA-F]{4})/.exec(s.slice(i));
      if (u?.[1]) {
        v += String.fromCharCode(parseInt(u[1], 16));
        i += 4;
      } else v += esc[n] ?? n;
    } else v += c;
  }
  return undefined;
}

/** "schema key value" lines → schema → key → value text. */
export function parseListRecursively(output: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const line of output.split('\n')) {
    const m = /^(\S+) (\S+) (.*)$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) continue;
    let keys = out.get(m[1]);
    if (!keys) out.set(m[1], (keys = new Map()));
    keys.set(m[2], m[3]);
  }
  return out;
}
