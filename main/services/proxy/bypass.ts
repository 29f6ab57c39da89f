// Whether a server bypasses the proxy: no_proxy (curl/wget conventions) and GNOME's ignore-hosts
// share the forms — "*", a host name (matching itself and its subdomains, a leading "." or "*."
// allowed), an IP literal, an IP network in CIDR form, each optionally with ":port".
import { isIP } from 'node:net';

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

function ipv6ToBigInt(a: string): bigint {
  const [head = '', tail] = a.split('::');
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  let h = parts(head);
  let t = tail === undefined ? [] : parts(tail);
  const expand = (xs: string[]) =>
    xs.flatMap((x) => {
      if (!x.includes('.')) return [x];
      const v = ipv4ToInt(x);
      return [(v >>> 16).toString(16), (v & 0xffff).toString(16)];
    });
  h = expand(h);
  t = expand(t);
  const zeros = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].reduce((n, g) => (n << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function inNetwork(address: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  const net = cidr.slice(0, slash);
  const bits = Number(cidr.slice(slash + 1));
  const family = isIP(address);
  if (family !== isIP(net)) return false;
  if (family === 4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (ipv4ToInt(address) & mask) === (ipv4ToInt(net) & mask);
  }
  const shift = BigInt(128 - bits);
  return ipv6ToBigInt(address) >> shift === ipv6ToBigInt(net) >> shift;
}

/** Splits "host:port", "[v6]:port", a bare v6 literal or a host. */
function splitPort(entry: string): { host: string; port?: number } {
  const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (br) return { host: br[1] ?? '', ...(br[2] !== undefined ? { port: Number(br[2]) } : {}) };
  if (isIP(entry) === 6 || entry.includes('/')) return { host: entry };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : { host: entry };
}

/** The entry of `list` that sends host:port direct, or undefined. */
export function bypassMatch(list: readonly string[], host: string, port: number): string | undefined {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  for (const raw of list) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return raw.trim();
    const e = splitPort(entry);
    if (e.port !== undefined && e.port !== port) continue;
    if (e.host.includes('/')) {
      if (isIP(h) !== 0 && validCidr(e.host) && inNetwork(h, e.host)) return raw.trim();
      continue;
    }
    if (isIP(e.host) !== 0) {
      if (isIP(h) !== 0 && ipv6Or4Equal(h, e.host)) return raw.trim();
      continue;
    }
    const name = e.host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name !== '' && (h === name || h.endsWith(`.${name}`))) return raw.trim();
  }
  return undefined;
}

function ipv6Or4Equal(a: string, b: string): boolean {
  if (isIP(a) !== isIP(b)) return false;
  return isIP(a) === 4 ? a === b : ipv6ToBigInt(a) === ipv6ToBigInt(b);
}

function validCidr(c: string): boolean {
  const [net = '', bits = ''] = c.split('/');
  const family = isIP(net);
  return family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
