// How profiles read on a terminal. JSON output is the stored profile itself: it never holds a secret.
import type { Profile } from '../../contract/profile.js';
import { displayFingerprint } from '../../services/trust/certificate.js';

export function serverText(p: Pick<Profile, 'server'>): string {
  const host = p.server.host.includes(':') ? `[${p.server.host}]` : p.server.host;
  return p.server.port === 443 ? host : `${host}:${p.server.port}`;
}

export function trustText(p: Pick<Profile, 'tls'>): string {
  if (p.tls.pinnedSha256 !== undefined) return 'pinned';
  if (p.tls.insecure) return 'INSECURE';
  if (p.tls.caFile !== undefined) return 'CA file';
  return 'system CAs';
}

export function formatProfileList(profiles: readonly Profile[]): string {
  if (profiles.length === 0)
    return 'No profiles yet. Add one with `causeway profiles add NAME --server HOST --user USER`, or `causeway import FILE`.\n';
  const rows = [
    ['NAME', 'SERVER', 'USER', 'AUTH', 'TRUST'],
    ...profiles.map((p) => [p.name, serverText(p), p.username || '(ask)', p.authMethods.join(','), trustText(p)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n'
  );
}

export type PasswordStatus =
  { readonly kind: 'saved' } | { readonly kind: 'not-saved' } | { readonly kind: 'unknown'; readonly why: string };

export function formatProfile(p: Profile, password: PasswordStatus): string {
  const tls = p.tls;
  const trust =
    tls.pinnedSha256 !== undefined
      ? `pinned certificate SHA-256 ${displayFingerprint(tls.pinnedSha256)}`
      : tls.insecure
        ? 'ANY certificate (--insecure: labs only)'
        : tls.caFile !== undefined
          ? `CA certificate(s) in ${tls.caFile}`
          : 'the system CAs';
  const lines: [string, string][] = [
    ['id', p.id],
    ['server', serverText(p)],
    ['user', p.username || '(asked when connecting)'],
    [
      'password',
      password.kind === 'saved'
        ? 'saved in the keychain'
        : password.kind === 'not-saved'
          ? 'not saved'
          : `unknown (${password.why})`,
    ],
    [
      'auth',
      `${p.authMethods.join(', ')}${p.allowNoAuthentication === true ? '; a server asking for none is accepted (--allow-no-auth)' : ''}`,
    ],
    ['TLS', `${tls.minVersion} or newer${tls.sni !== undefined ? `, server name ${tls.sni}` : ''}`],
    ['trusts', trust],
  ];
  if (tls.clientCertificate) {
    const c = tls.clientCertificate;
    lines.push(['client cert', 'pkcs12File' in c ? c.pkcs12File : `${c.certificateFile} (PEM; key in the keychain)`]);
  }
  if (p.eapTrust) {
    const e = p.eapTrust;
    const own =
      e.pinnedSha256 !== undefined
        ? `pinned certificate SHA-256 ${displayFingerprint(e.pinnedSha256)}`
        : e.caFile !== undefined
          ? `CA certificate(s) in ${e.caFile}`
          : 'as the VPN server';
    lines.push(['EAP server', `trusts ${own}${e.serverName !== undefined ? `, must be named ${e.serverName}` : ''}`]);
  }
  if (p.proxy)
    lines.push([
      'proxy',
      `${p.proxy.host}:${p.proxy.port}${p.proxy.username !== undefined ? ` as ${p.proxy.username}` : ''}`,
    ]);
  else if (p.systemProxy) lines.push(['proxy', "the system's (GNOME settings; https_proxy/no_proxy in the CLI)"]);
  lines.push(
    ['routing', p.routing.mode === 'full' ? 'all traffic through the VPN' : `only ${p.routing.routes.join(', ')}`],
    ['DNS', p.dns ? "the server's" : 'not changed'],
    ['DNS search', p.dnsSearchDomains?.length ? p.dnsSearchDomains.join(', ') : 'none'],
    ['IPv6', p.ipv6 ? 'on' : 'off'],
    ['MTU', p.mtu !== undefined ? String(p.mtu) : '1500 (default)'],
    [
      'reconnect',
      p.reconnect.enabled
        ? `on${p.reconnect.maxAttempts !== undefined ? `, at most ${p.reconnect.maxAttempts} attempts` : ''}`
        : 'off',
    ],
    ['auto-connect', p.autoConnect ? 'on' : 'off'],
  );
  return `${p.name}\n${lines.map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n')}\n`;
}
