// HTTP CONNECT through a web proxy, before TLS (SSTP's reason to exist: it crosses proxies).
// The first CONNECT goes without credentials; a 407 names the schemes the proxy takes and the
// answer goes to the strongest we speak (Digest, then Basic: proxy-auth.ts), on the same connection
// when the proxy keeps it open, else on a new one (`reopen`).
import type { Socket } from 'node:net';
import type { ProxyConfig } from '../config.js';
import { answerChallenges, parseChallenges, schemesOf, type Challenge } from './proxy-auth.js';
import { exchange } from './proxy-exchange.js';

export type ProxyResult =
  | {
      readonly ok: true;
      /** The connection the tunnel now runs on (a new one when the proxy closed after its 407). */
      readonly socket: Socket;
      readonly rest: Buffer;
      /** How the proxy was signed in to, when it asked. */
      readonly scheme?: 'Digest' | 'Basic';
    }
  | {
      readonly ok: false;
      readonly code: 'proxy-failed' | 'proxy-auth-failed';
      readonly message: string;
      readonly detail: string;
      /** With proxy-auth-failed: the schemes the proxy's 407 offered ("Digest", "Basic", "NTLM"...). */
      readonly offered?: readonly string[];
    };

/** A new connection to the same proxy, or undefined when none could be opened. */
export type ProxyReopen = () => Promise<Socket | undefined>;

export function connectRequest(host: string, port: number, authorization?: string): string {
  const target = connectTarget(host, port);
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (authorization !== undefined) lines.push(`Proxy-Authorization: ${authorization}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

function connectTarget(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const SPOKEN = 'Causeway can sign in with Digest or Basic';

/** Sends CONNECT on an open socket to the proxy and waits for its answer (signing in if asked). */
export async function proxyConnect(
  first: Socket,
  proxy: ProxyConfig,
  host: string,
  port: number,
  timeoutMs: number,
  reopen?: ProxyReopen,
): Promise<ProxyResult> {
  const where = `${proxy.host}:${proxy.port}`;
  const fail = (code: 'proxy-failed' | 'proxy-auth-failed', message: string, detail: string, offered?: string[]) =>
    ({ ok: false, code, message, detail, ...(offered ? { offered } : {}) }) as const;
  let socket = first;
  let authorization: string | undefined;
  let scheme: 'Digest' | 'Basic' | undefined;
  let reusable = true;
  // Two rounds: unauthenticated, then answering the challenge; a third only for a stale Digest nonce.
  for (let round = 0; round < 3; round++) {
    if (!reusable) {
      const next = reopen ? await reopen() : undefined;
      if (!next)
        return fail(
          'proxy-failed',
          `The proxy ${where} closed the connection after asking to sign in, and a new connection to it failed.`,
          'reopen failed',
        );
      socket = next;
    }
    const a = await exchange(socket, connectRequest(host, port, authorization), timeoutMs);
    if (a.kind === 'not-http')
      return fail('proxy-failed', `The proxy ${where} sent an answer that is not HTTP.`, a.detail);
    if (a.kind === 'closed')
      return fail('proxy-failed', `The proxy ${where} closed the connection before answering.`, 'closed');
    if (a.kind === 'timeout')
      return fail('proxy-failed', `The proxy ${where} did not answer within ${timeoutMs / 1000} s.`, 'timeout');
    const { status, statusLine } = a.head;
    if (status === 200) return { ok: true, socket, rest: a.rest, ...(scheme ? { scheme } : {}) };
    // 407 is the standard answer; Debian 12's tinyproxy 1.11.1 answers a wrong password with 401.
    if (status !== 407 && status !== 401)
      return fail(
        'proxy-failed',
        `The proxy ${where} refused to connect to ${connectTarget(host, port)} (${statusLine}). Check that the proxy allows CONNECT to this port.`,
        statusLine,
      );
    const header = a.head.headers.get('proxy-authenticate') ?? a.head.headers.get('www-authenticate');
    const parsed = header === undefined ? undefined : parseChallenges(header);
    const challenges: readonly Challenge[] = parsed?.ok ? parsed.challenges : [];
    const offered = schemesOf(challenges);
    const detail = `${statusLine}; Proxy-Authenticate: ${header === undefined ? '(none)' : header.slice(0, 200)}`;
    if (parsed !== undefined && !parsed.ok)
      return fail(
        'proxy-auth-failed',
        `The proxy ${where} asks to sign in but its challenge cannot be read (${parsed.reason}). Ask the proxy's administrator, or use another proxy.`,
        detail,
      );
    const offers = offered.length > 0 ? `it offers ${offered.join(', ')}` : 'it names no scheme';
    if (proxy.username === undefined || proxy.password === undefined)
      return fail(
        'proxy-auth-failed',
        `The proxy ${where} requires signing in (${offers}). Add the proxy user name and password to the proxy settings.`,
        detail,
        offered,
      );
    const stale = scheme === 'Digest' && challenges.some((c) => c.params.get('stale')?.toLowerCase() === 'true');
    if (authorization !== undefined && !(stale && round === 1))
      return fail(
        'proxy-auth-failed',
        `The proxy ${where} rejected the proxy user name or password (${scheme ?? 'sign-in'}; ${offers}). Check the proxy credentials.`,
        detail,
        offered,
      );
    const answer = answerChallenges(
      challenges,
      { username: proxy.username, password: proxy.password },
      { method: 'CONNECT', uri: connectTarget(host, port) },
    );
    if (!answer.ok)
      return fail(
        'proxy-auth-failed',
        answer.reason === 'unsupported'
          ? `The proxy ${where} asks to sign in with ${offered.join(', ') || 'no named scheme'}; ${SPOKEN}. Ask the proxy's administrator to allow Basic or Digest for this client, or use another proxy.`
          : `The proxy ${where} sent a Digest challenge Causeway cannot answer (${answer.detail}). Ask the proxy's administrator.`,
        `${detail}; ${answer.detail}`,
        offered,
      );
    authorization = answer.header;
    scheme = answer.scheme;
    reusable = a.reusable;
  }
  return fail('proxy-auth-failed', `The proxy ${where} kept asking to sign in. Check the proxy credentials.`, 'loop');
}
