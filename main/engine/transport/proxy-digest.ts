// HTTP Digest access authentication (RFC 7616, with RFC 2617/2069 compatibility) for CONNECT:
// squid's digest_file_auth and most enterprise proxies ask for it so the password never crosses
// the wire. MD5 and SHA-256 (and their -sess forms), qop=auth, or no qop at all (RFC 2069).
import { createHash, randomBytes } from 'node:crypto';

export interface DigestInput {
  /** The challenge's params (lower-case names, unquoted values). */
  readonly challenge: ReadonlyMap<string, string>;
  readonly username: string;
  readonly password: string;
  /** 'CONNECT' for a proxy tunnel. */
  readonly method: string;
  /** The request-target as sent: 'host:port' for CONNECT. */
  readonly uri: string;
  /** Injected by tests (the RFC's vector); random otherwise. */
  readonly cnonce?: string;
  /** Requests already answered with this nonce; 1 for the first. */
  readonly nc?: number;
}

export type DigestResult =
  | { readonly ok: true; readonly header: string; readonly response: string }
  | { readonly ok: false; readonly reason: string };

const ALGORITHMS: Readonly<Record<string, { hash: 'md5' | 'sha256'; sess: boolean }>> = {
  md5: { hash: 'md5', sess: false },
  'md5-sess': { hash: 'md5', sess: true },
  'sha-256': { hash: 'sha256', sess: false },
  'sha-256-sess': { hash: 'sha256', sess: true },
};

// A quoted-string value must not break out of its quotes (RFC 7616 §3.4: no escaping is defined for
// username; anything with a quote or control character would need username*, which proxies rarely take).
function quotable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

export function digestAuthorization(d: DigestInput): DigestResult {
  const realm = d.challenge.get('realm');
  const nonce = d.challenge.get('nonce');
  if (realm === undefined) return { ok: false, reason: 'the Digest challenge has no realm' };
  if (nonce === undefined || nonce === '') return { ok: false, reason: 'the Digest challenge has no nonce' };
  const algName = d.challenge.get('algorithm') ?? 'MD5';
  const alg = ALGORITHMS[algName.toLowerCase()];
  if (alg === undefined) return { ok: false, reason: `the Digest algorithm ${algName} is not supported` };
  const qopOffered = d.challenge.get('qop');
  const qops = qopOffered?.split(',').map((q) => q.trim().toLowerCase());
  // A CONNECT has no body, but auth-int is not worth the code: no proxy we know offers only it.
  if (qops !== undefined && !qops.includes('auth'))
    return { ok: false, reason: `the Digest challenge offers qop ${qopOffered} but not auth` };
  for (const [name, v] of [
    ['user name', d.username],
    ['realm', realm],
    ['nonce', nonce],
    ['uri', d.uri],
  ] as const)
    if (!quotable(v)) return { ok: false, reason: `the Digest ${name} contains a quote or control character` };

  const h = (s: string) => createHash(alg.hash).update(s, 'utf8').digest('hex');
  const cnonce = d.cnonce ?? randomBytes(16).toString('hex');
  const nc = (d.nc ?? 1).toString(16).padStart(8, '0');
  let ha1 = h(`${d.username}:${realm}:${d.password}`);
  if (alg.sess) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${d.method}:${d.uri}`);
  const response = qops !== undefined ? h(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);

  // userhash (RFC 7616 §3.4.4): the proxy asked for the name hashed with its realm.
  const userhash = d.challenge.get('userhash')?.toLowerCase() === 'true';
  const parts = [
    `username="${userhash ? h(`${d.username}:${realm}`) : d.username}"`,
    `realm="${realm}"`,
    `uri="${d.uri}"`,
    // RFC 2617 proxies (squid) compare the algorithm token as they sent it.
    ...(d.challenge.has('algorithm') ? [`algorithm=${algName}`] : []),
    `nonce="${nonce}"`,
    ...(qops !== undefined ? [`nc=${nc}`, `cnonce="${cnonce}"`, 'qop=auth'] : []),
    `response="${response}"`,
  ];
  const opaque = d.challenge.get('opaque');
  if (opaque !== undefined) {
    if (!quotable(opaque)) return { ok: false, reason: 'the Digest opaque contains a quote or control character' };
    parts.push(`opaque="${opaque}"`);
  }
  if (userhash) parts.push('userhash=true');
  return { ok: true, header: `Digest ${parts.join(', ')}`, response };
}
