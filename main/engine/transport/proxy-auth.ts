// The proxy's Proxy-Authenticate challenges (RFC 9110 §11.6.1 grammar) and the choice of answer:
// Digest (RFC 7616) when the proxy offers it, else Basic (RFC 7617). Basic is never sent unasked,
// so a proxy that would take Digest never sees the password in the clear.
import { digestAuthorization, type DigestInput } from './proxy-digest.js';

export interface Challenge {
  /** As the proxy spelt it ("Digest", "Basic", "NTLM"...). */
  readonly scheme: string;
  /** auth-param names in lower case, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
  /** A token68 instead of params (NTLM/Negotiate use it). */
  readonly token68?: string;
}

export type ChallengeParse =
  { readonly ok: true; readonly challenges: readonly Challenge[] } | { readonly ok: false; readonly reason: string };

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// A token68 right after the scheme (NTLM, Negotiate), up to the next comma or the end.
const TOKEN68_AHEAD = /^[A-Za-z0-9\-._~+/]+=*[ \t]*(?=,|$)/;

type Building = { scheme: string; params: Map<string, string>; token68?: string };

/** Parses a Proxy-Authenticate value (repeated headers already joined with ", "). */
export function parseChallenges(value: string): ChallengeParse {
  const out: Building[] = [];
  let i = 0;
  const n = value.length;
  const skipWs = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(value[i] ?? '')) i++;
    return value.slice(start, i);
  };
  const fail = (why: string): ChallengeParse => ({ ok: false, reason: `${why} (at character ${i + 1})` });
  // After the name and its "=": a token or a quoted-string.
  const paramValue = (name: string): string | ChallengeParse => {
    skipWs();
    if (value[i] !== '"') {
      const v = token();
      return v === '' ? fail(`parameter ${name} has no value`) : v;
    }
    i++;
    let v = '';
    for (;;) {
      if (i >= n) return fail('unterminated quoted string');
      const c = value[i++] ?? '';
      if (c === '"') return v;
      if (c === '\\') {
        if (i >= n) return fail('unterminated quoted string');
        v += value[i++] ?? '';
      } else v += c;
    }
  };
  const addParam = (to: Building, name: string): ChallengeParse | undefined => {
    i++; // the '='
    const v = paramValue(name);
    if (typeof v !== 'string') return v;
    const key = name.toLowerCase();
    if (to.params.has(key)) return fail(`parameter ${name} given twice`);
    to.params.set(key, v);
    skipWs();
    return i < n && value[i] !== ',' ? fail(`expected "," after parameter ${name}`) : undefined;
  };
  while (i < n) {
    skipWs();
    if (value[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    const word = token();
    if (word === '') return fail(`unexpected ${JSON.stringify(value[i])}`);
    skipWs();
    const current = out[out.length - 1];
    if (value[i] === '=') {
      // "name=value" after a comma: a parameter of the challenge before it.
      if (current === undefined) return fail(`parameter ${word} before any scheme`);
      if (current.token68 !== undefined) return fail(`parameter ${word} after a token68`);
      const problem = addParam(current, word);
      if (problem) return problem;
      continue;
    }
    const c: Building = { scheme: word, params: new Map() };
    out.push(c);
    if (i >= n || value[i] === ',') continue;
    // The scheme's first parameter, or a token68.
    const save = i;
    const name = token();
    skipWs();
    if (name !== '' && value[i] === '=' && value[i + 1] !== '=' && !TOKEN68_AHEAD.test(value.slice(save))) {
      const problem = addParam(c, name);
      if (problem) return problem;
      continue;
    }
    i = save;
    const t68 = TOKEN68_AHEAD.exec(value.slice(i));
    if (!t68) return fail(`unexpected ${JSON.stringify(value[i])} after scheme ${word}`);
    c.token68 = t68[0].trim();
    i += t68[0].length;
  }
  if (out.length === 0) return { ok: false, reason: 'no challenge in the header' };
  return { ok: true, challenges: out };
}

export function schemesOf(challenges: readonly Challenge[]): string[] {
  return [...new Set(challenges.map((c) => c.scheme))];
}

export interface ProxyCredentials {
  readonly username: string;
  readonly password: string;
}

export type AuthAnswer =
  | { readonly ok: true; readonly scheme: 'Digest' | 'Basic'; readonly header: string }
  | { readonly ok: false; readonly reason: 'unsupported' | 'malformed'; readonly detail: string };

export function basicAuthorization(c: ProxyCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/**
 * The Proxy-Authorization value answering the strongest challenge we speak: Digest with SHA-256,
 * then Digest MD5, then Basic. `digest` carries what the digest needs beyond the challenge.
 */
export function answerChallenges(
  challenges: readonly Challenge[],
  creds: ProxyCredentials,
  digest: Omit<DigestInput, 'challenge' | 'username' | 'password'>,
): AuthAnswer {
  const digests = challenges.filter((c) => c.scheme.toLowerCase() === 'digest');
  const rank = (c: Challenge) => (/^sha-256/i.test(c.params.get('algorithm') ?? '') ? 0 : 1);
  const ordered = [...digests].sort((a, b) => rank(a) - rank(b));
  let firstProblem: string | undefined;
  for (const ch of ordered) {
    const r = digestAuthorization({ ...digest, challenge: ch.params, ...creds });
    if (r.ok) return { ok: true, scheme: 'Digest', header: r.header };
    firstProblem ??= r.reason;
  }
  if (challenges.some((c) => c.scheme.toLowerCase() === 'basic'))
    return { ok: true, scheme: 'Basic', header: basicAuthorization(creds) };
  if (firstProblem !== undefined) return { ok: false, reason: 'malformed', detail: firstProblem };
  return { ok: false, reason: 'unsupported', detail: `offered: ${schemesOf(challenges).join(', ')}` };
}
