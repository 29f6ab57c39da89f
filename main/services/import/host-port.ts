// "host", "host:port", "[v6]:port", a bare IPv6 address, or a URL: every format spells the server its own way.
import { isIP } from 'node:net';

export type HostPort =
  | { readonly ok: true; readonly host: string; readonly port?: number }
  | { readonly ok: false; readonly reason: string };

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function parseHostPort(input: string): HostPort {
  let s = input.trim();
  if (s === '') return { ok: false, reason: 'is empty' };
  // A host name is at most 253 characters; checking length first keeps every later step cheap.
  if (s.length > 300) return { ok: false, reason: 'is too long to be a server address' };
  // Some people paste the server as a URL: keep the authority only.
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(s);
  if (url) s = (url[1] ?? '').replace(/^[^@]*@/, '');
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return { ok: false, reason: 'has an unclosed "["' };
    const host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (isIP(host) !== 6) return { ok: false, reason: 'has brackets around something that is not an IPv6 address' };
    if (rest === '') return { ok: true, host };
    const port = rest.startsWith(':') ? parsePort(rest.slice(1)) : undefined;
    return port === undefined ? { ok: false, reason: 'has an invalid port' } : { ok: true, host, port };
  }
  if (isIP(s) === 6) return { ok: true, host: s };
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { ok: true, host: s };
  if (s.indexOf(':') !== colon) return { ok: false, reason: 'is neither a host name nor an IP address' };
  const port = parsePort(s.slice(colon + 1));
  if (port === undefined) return { ok: false, reason: 'has an invalid port' };
  return { ok: true, host: s.slice(0, colon), port };
}
