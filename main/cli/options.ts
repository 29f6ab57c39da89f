// Turning command-line text into a validated SessionConfig. Pure: every problem is a UsageError value.
import type { Result } from '../engine/result.js';
import { readFileSync } from 'node:fs';
import {
  AUTH_METHODS,
  AUTH_WAIT_RANGE_S,
  type AuthMethod,
  type ProxyConfig,
  type SessionConfig,
  type TlsMinVersion,
} from '../engine/config.js';
import { parseEapTrustFlags, withEapTrustFlags } from './eap-trust-options.js';
import { normaliseFingerprint } from '../engine/transport/certificate.js';
import { parseIntegerOption, parseOptionalIntegerOption } from './integer-option.js';

export interface ConnectOptions {
  user?: string;
  ca?: string;
  pin?: string;
  insecure?: boolean;
  sni?: string;
  tlsMin?: string;
  auth?: string;
  proxy?: string;
  ipv6?: boolean;
  mru?: string;
  /** Carry on when the server asks for no authentication at all (refused otherwise). */
  allowNoAuth?: boolean;
  /** The sign-in (EAP) server's certificate for this run (see eap-trust-options.ts). */
  eapPin?: string;
  eapCa?: string;
  eapServerName?: string;
}

/**
 * What an ad-hoc connection (a host, no profile) allows when --auth is not given: only the methods
 * in which the server proves it knows the password too. PAP and CHAP are there for --auth to opt in.
 */
export const AD_HOC_AUTH_METHODS = 'mschapv2,eap-mschapv2';

/** Warnings for methods and settings that weaken authentication, for the terminal before connecting. */
export function weakAuthWarnings(methods: readonly AuthMethod[], allowNoAuthentication: boolean): string[] {
  const out: string[] = [];
  if (methods.includes('pap')) {
    out.push(
      'PAP is allowed: it sends your password itself, readable by whoever holds the server certificate this client accepts (with --insecure, by anyone in the path). Allow it only for a server that offers nothing else.',
    );
  }
  if (methods.includes('chap'))
    out.push(
      'CHAP is allowed: the server does not prove it knows your password, and a captured exchange can be cracked offline.',
    );
  if (allowNoAuthentication)
    out.push(
      'a server that asks for no authentication will be accepted: nothing then proves it is the server you meant.',
    );
  return out;
}

export type Parsed<T> = Result<T, string>;

export function parseHostPort(text: string): Parsed<{ host: string; port: number }> {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]\s/]+)(?::(\d+))?$/.exec(text);
  if (!m || !m[1]) return { ok: false, error: `"${text}" is not a host or host:port` };
  const port = m[2] === undefined ? 443 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { ok: false, error: `port ${m[2]} is out of range (1-65535)` };
  return { ok: true, value: { host: m[1], port } };
}

/** --auth-wait SECONDS: how long authentication may wait for the server (an MFA push). In ms. */
export function parseAuthWait(text: string): Parsed<number> {
  const s = parseIntegerOption(text, { flag: '--auth-wait', range: AUTH_WAIT_RANGE_S, unit: 'seconds' });
  return s.ok ? { ok: true, value: s.value * 1000 } : s;
}

/** --mru BYTES: the largest packet we ask the server to send; 4091 = SSTP's 4095-byte packet less its header. */
export const MRU_RANGE = { min: 576, max: 4091 } as const;

export function parseMru(text: string | undefined): Parsed<number> {
  return parseOptionalIntegerOption(text, { flag: '--mru', range: MRU_RANGE, unit: 'bytes' }, 1500);
}

/** --keepalive SECONDS: SSTP hello and LCP echo interval; a silent server is declared dead within two. */
export const KEEPALIVE_RANGE_S = { min: 1, max: 3600 } as const;

export function parseKeepalive(text: string | undefined): Parsed<number> {
  return parseOptionalIntegerOption(text, { flag: '--keepalive', range: KEEPALIVE_RANGE_S, unit: 'seconds' }, 20);
}

export function parseAuthList(text: string): Parsed<AuthMethod[]> {
  const items = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const out: AuthMethod[] = [];
  for (const item of items) {
    const known = AUTH_METHODS.find((m) => m === item);
    if (!known)
      return { ok: false, error: `unknown authentication method "${item}" (choose from ${AUTH_METHODS.join(', ')})` };
    if (!out.includes(known)) out.push(known);
  }
  if (out.length === 0) return { ok: false, error: '--auth needs at least one method' };
  return { ok: true, value: out };
}

/** What to say when a proxy URL carries a password: a command line is world-readable (/proc/PID/cmdline). */
export const PROXY_PASSWORD_IN_URL =
  'the proxy password must not be in the --proxy URL: any user of this machine can read a command line (/proc/PID/cmdline), and it stays in your shell history. ' +
  'Give http://USER@HOST:PORT and the password on standard input with --proxy-password-stdin, or save it with the profile (`causeway profiles edit NAME --proxy http://USER@HOST:PORT --proxy-password-stdin`).';

/**
 * http://[user@]host:port — the user name is percent-decoded. A password in the URL is refused
 * (PROXY_PASSWORD_IN_URL): it would sit in argv for the whole run.
 */
export function parseProxyUrl(text: string): Parsed<ProxyConfig> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: 'the proxy must be a URL like http://host:3128 or http://user:pass@host:3128' };
  }
  if (url.protocol !== 'http:') return { ok: false, error: `only http:// proxies are supported (got ${url.protocol})` };
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { ok: false, error: 'the proxy URL has no host' };
  const proxy: ProxyConfig = { host, port };
  if (url.password !== '') return { ok: false, error: PROXY_PASSWORD_IN_URL };
  if (url.username !== '') return { ok: true, value: { ...proxy, username: decodeURIComponent(url.username) } };
  return { ok: true, value: proxy };
}

export function buildSessionConfig(target: string, o: ConnectOptions, password: string): Parsed<SessionConfig> {
  const hp = parseHostPort(target);
  if (!hp.ok) return hp;
  if (!o.user) return { ok: false, error: '--user is required' };
  const auth = parseAuthList(o.auth ?? AD_HOC_AUTH_METHODS);
  if (!auth.ok) return auth;
  const tlsMin: TlsMinVersion | undefined =
    o.tlsMin === undefined || o.tlsMin === '1.2' ? 'TLSv1.2' : o.tlsMin === '1.3' ? 'TLSv1.3' : undefined;
  if (!tlsMin) return { ok: false, error: `--tls-min must be 1.2 or 1.3 (got ${o.tlsMin})` };
  let pinSha256: string | undefined;
  if (o.pin !== undefined) {
    pinSha256 = normaliseFingerprint(o.pin);
    if (!pinSha256) return { ok: false, error: '--pin must be sha256: followed by 64 hex digits (colons allowed)' };
  }
  let caPem: string | undefined;
  if (o.ca !== undefined) {
    try {
      caPem = readFileSync(o.ca, 'utf8');
    } catch (e) {
      return { ok: false, error: `cannot read the CA file ${o.ca}: ${(e as Error).message}` };
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, error: `${o.ca} holds no PEM certificate` };
  }
  let proxy: ProxyConfig | undefined;
  if (o.proxy !== undefined) {
    const p = parseProxyUrl(o.proxy);
    if (!p.ok) return p;
    proxy = p.value;
  }
  const mru = parseMru(o.mru);
  if (!mru.ok) return mru;
  const eapFlags = parseEapTrustFlags(o);
  if (!eapFlags.ok) return eapFlags;
  const trust = { caPem, pinSha256, insecure: o.insecure === true };
  const eapTrust = withEapTrustFlags(undefined, eapFlags.value, trust);
  return {
    ok: true,
    value: {
      host: hp.value.host,
      port: hp.value.port,
      sni: o.sni,
      tlsMin,
      trust,
      ...(eapTrust !== undefined ? { eapTrust } : {}),
      proxy,
      credentials: { username: o.user, password },
      authMethods: auth.value,
      ...(o.allowNoAuth === true ? { allowNoAuthentication: true } : {}),
      ipv6: o.ipv6 === true,
      mru: mru.value,
    },
  };
}
