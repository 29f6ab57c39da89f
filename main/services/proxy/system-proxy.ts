// What "the system proxy" says for one server: a proxy to CONNECT through, a direct connection
// (no proxy set, or the server is in the bypass list), or a setting Causeway cannot follow (a PAC
// file, a SOCKS proxy) — said, never silently ignored, since going direct could be blocked or leak.
import type { ProxyConfig } from '../../engine/config.js';

export type ProxySource = 'environment' | 'gnome';

export type SystemProxy =
  | { readonly kind: 'proxy'; readonly proxy: ProxyConfig; readonly source: ProxySource; readonly description: string }
  | { readonly kind: 'direct'; readonly source: ProxySource; readonly reason: string }
  | { readonly kind: 'unusable'; readonly source: ProxySource; readonly message: string };

/** host:port of a proxy, as said in logs (never with credentials). */
export function describeProxy(p: ProxyConfig): string {
  return `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}${p.username !== undefined ? ` as ${p.username}` : ''}`;
}
