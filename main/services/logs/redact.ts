// Redaction is the last line of defence: the engine is written never to log a secret, but a mistake
// there (or a server echoing something back) must still not reach a file, a live view or an export.
// Two layers: the actual secrets of this connection, wherever they appear, and patterns for the shapes
// secrets take in VPN traces when nobody told us the value.

export const REDACTED = '[redacted]';

/** Shorter known secrets are not scrubbed by value: a 1–2 character password would shred every line. */
export const MIN_KNOWN_SECRET_LENGTH = 3;

const PATTERNS: readonly RegExp[] = [
  // key=value / key: value / "key":"value" for password-like keys.
  /((?:password|passwd|passphrase|pwd|secret|token)["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi,
  // HTTP credentials headers, whole value to the end of the line.
  /((?:proxy-)?authorization\s*:\s*)[^\r\n]+/gi,
  // MS-CHAPv2 authenticator response "S=<40 hex>".
  /(\bS=)[0-9a-f]{40}\b/gi,
  // Long hex blobs after keywords that introduce challenge/response material or keys.
  // pppd-style trace blobs: "rcvd [CHAP Response id=0x1 <5f0a…>]".
  /(<)[0-9a-f]{32,}(?=>)/gi,
  /((?:response|challenge|nt-?response|peer-?challenge|authenticator|hash|key|mppe|nonce|cmac|cmk|hlak)\b["']?\s*[=:]?\s*["']?(?:0x)?)[0-9a-f]{16,}(?:[\s:][0-9a-f]{2,})*/gi,
];

export type Redactor = (text: string) => string;

export function createRedactor(knownSecrets: readonly string[] = []): Redactor {
  const values = new Set<string>();
  for (const s of knownSecrets) {
    if (s.length < MIN_KNOWN_SECRET_LENGTH) continue;
    values.add(s);
    values.add(encodeURIComponent(s));
    values.add(JSON.stringify(s).slice(1, -1)); // as it would look inside a JSON string
    values.add(Buffer.from(s, 'utf8').toString('base64'));
    values.add(Buffer.from(s, 'utf8').toString('hex'));
    values.add(Buffer.from(s, 'utf16le').toString('hex')); // NT hash input form
  }
  // Longest first so a secret containing another is removed whole.
  const ordered = [...values].filter((v) => v.length >= MIN_KNOWN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) if (out.includes(v)) out = out.split(v).join(REDACTED);
    for (const p of PATTERNS) out = out.replace(p, `$1${REDACTED}`);
    return out;
  };
}
