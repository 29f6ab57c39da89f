// MikroTik RouterOS export (`/export` or `/interface sstp-client export`): every
// `/interface sstp-client add …` becomes a profile. Parameters read:
//   name, connect-to (host, or v5's host:port), port, user, password (→ keychain),
//   authentication (pap,chap,mschap1,mschap2), tls-version (any | only-1.2 | only-1.3),
//   verify-server-certificate, certificate (reported: it names a key in the router's own store),
//   http-proxy + proxy-port (v6+) or proxy=host:port (v5), add-default-route, max-mtu, profile
// and, elsewhere in the export, `/ip route add dst-address=… gateway=<client name>` (and /ipv6 route),
// which become the networks of a split tunnel.
// RouterOS does not verify the server certificate unless verify-server-certificate=yes; Causeway keeps
// verification on regardless, and the first connection asks the user to trust the certificate.
import type { AuthMethod } from '../../engine/config.js';
import type { ProfileDraft } from '../../contract/profile.js';
import { byPreference } from './auth-methods.js';
import { ProfileCollector } from './collector.js';
import { decodeText } from './decode.js';
import { displayFileName, quote, Warnings } from './diagnostics.js';
import { parseHostPort, parsePort } from './host-port.js';
import { readRouterOs, type RouterOsCommand } from './routeros-lexer.js';
import type { ImportResult } from './types.js';

export const SSTP_CLIENT_MENU = 'interface sstp-client';

const KNOWN = new Set([
  'name',
  'connect-to',
  'port',
  'user',
  'password',
  'authentication',
  'tls-version',
  'verify-server-certificate',
  'verify-server-address-from-certificate',
  'certificate',
  'add-sni',
  'http-proxy',
  'proxy-port',
  'proxy',
  'add-default-route',
  'max-mtu',
  'profile',
  // Understood, no counterpart in a Causeway profile (or meaningless off the router).
  'comment',
  'disabled',
  'dial-on-demand',
  'keepalive-timeout',
  'max-mru',
  'mrru',
  'ciphers',
  'pfs',
  'default-route-distance',
  'hw-crypto',
  'copy-from',
]);

const AUTH: Record<string, AuthMethod | null> = { mschap2: 'mschapv2', chap: 'chap', pap: 'pap', mschap1: null };

const isYes = (v: string | undefined): boolean => v === 'yes' || v === 'true';

function param(cmd: RouterOsCommand, key: string): string | undefined {
  let found: string | undefined;
  for (const p of cmd.params) if (p.key === key) found = p.value;
  return found;
}

/** dst-address per client name, from /ip route and /ipv6 route. */
function routesByGateway(commands: readonly RouterOsCommand[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const cmd of commands) {
    if ((cmd.menu !== 'ip route' && cmd.menu !== 'ipv6 route') || cmd.verb !== 'add') continue;
    const gateway = param(cmd, 'gateway');
    const dst = param(cmd, 'dst-address');
    // Network lengths are bounded so that later validation never sees a megabyte-long "address".
    if (!gateway || !dst || dst.length > 50) continue;
    for (const gw of gateway.split(',')) out.set(gw, [...(out.get(gw) ?? []), dst]);
  }
  return out;
}

const NO_ADDRESS = new Set(['', '0.0.0.0', '::']);

/** v6+ writes http-proxy + proxy-port; v5 wrote proxy=host:port. An unset proxy reads 0.0.0.0 or ::. */
function proxyOf(cmd: RouterOsCommand): { host: string; port: number } | 'bad-port' | undefined {
  const host = param(cmd, 'http-proxy');
  if (host !== undefined && !NO_ADDRESS.has(host)) {
    const port = parsePort(param(cmd, 'proxy-port') ?? '443');
    return port === undefined ? 'bad-port' : { host, port };
  }
  const legacy = param(cmd, 'proxy');
  if (legacy === undefined) return undefined;
  const hp = parseHostPort(legacy);
  return hp.ok && !NO_ADDRESS.has(hp.host) ? { host: hp.host, port: hp.port ?? 443 } : undefined;
}

function mapClient(
  cmd: RouterOsCommand,
  routes: Map<string, string[]>,
  warnings: Warnings,
  collector: ProfileCollector,
): void {
  const name = param(cmd, 'name') ?? '';
  const label = quote(name || '(unnamed)');
  for (const p of cmd.params)
    if (!KNOWN.has(p.key)) warnings.add(cmd.line, `${label}: unknown parameter ${quote(p.key)}; ignored`);

  const connectTo = param(cmd, 'connect-to');
  if (!connectTo) {
    warnings.add(cmd.line, `sstp-client ${label} has no connect-to; skipped`);
    return;
  }
  const server = parseHostPort(connectTo);
  if (!server.ok) {
    warnings.add(cmd.line, `connect-to ${quote(connectTo)} ${server.reason}; ${label} skipped`);
    return;
  }
  let port = server.port;
  const portText = param(cmd, 'port');
  if (portText !== undefined) {
    port = parsePort(portText);
    if (port === undefined) {
      warnings.add(cmd.line, `port ${quote(portText)} is not a port number; ${label} skipped`);
      return;
    }
  }
  const draft: Omit<ProfileDraft, 'name'> = {
    server: port === undefined ? { host: server.host } : { host: server.host, port },
    username: param(cmd, 'user') ?? '',
  };

  const auth = param(cmd, 'authentication');
  if (auth !== undefined) {
    const methods: AuthMethod[] = [];
    for (const a of auth
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      const m = AUTH[a];
      if (m) methods.push(m);
      else if (m === undefined) warnings.add(cmd.line, `${label}: unknown authentication ${quote(a)}; ignored`);
    }
    if (methods.length === 0) {
      warnings.add(cmd.line, `${label} allows no authentication method Causeway supports (MS-CHAP v1 is not); skipped`);
      return;
    }
    draft.authMethods = byPreference(methods);
  }

  const tls: NonNullable<ProfileDraft['tls']> = { insecure: false };
  const version = param(cmd, 'tls-version');
  if (version === 'only-1.3') tls.minVersion = 'TLSv1.3';
  else if (version !== undefined && version !== 'any' && version !== 'only-1.2')
    warnings.add(cmd.line, `${label}: tls-version ${quote(version)} not understood; TLS 1.2 or newer will be used`);
  if (!isYes(param(cmd, 'verify-server-certificate'))) {
    warnings.add(
      cmd.line,
      `${label}: the router did not verify the server certificate; Causeway does, and the first connection will ask you to trust it`,
    );
  }
  const certificate = param(cmd, 'certificate');
  if (certificate !== undefined && certificate !== 'none' && certificate !== '') {
    warnings.add(
      cmd.line,
      `${label}: client certificate ${quote(certificate)} lives in the router's certificate store; export it as PKCS#12 and choose it in the profile`,
    );
  }
  draft.tls = tls;

  const proxy = proxyOf(cmd);
  if (proxy === 'bad-port') warnings.add(cmd.line, `${label}: proxy-port is not a port number; proxy not imported`);
  else if (proxy) draft.proxy = proxy;

  const nets = routes.get(name) ?? [];
  if (isYes(param(cmd, 'add-default-route')) || nets.includes('0.0.0.0/0')) draft.routing = { mode: 'full' };
  else if (nets.length > 0) {
    draft.routing = { mode: 'split', routes: nets };
    if (nets.some((n) => n.includes(':'))) draft.ipv6 = true;
  } else {
    warnings.add(
      cmd.line,
      `${label}: no default route and no /ip route through it; imported as full tunnel — add the networks to route to make it split`,
    );
    draft.routing = { mode: 'full' };
  }

  const mtuText = param(cmd, 'max-mtu');
  if (mtuText !== undefined) {
    const mtu = /^\d{1,5}$/.test(mtuText) ? Number(mtuText) : NaN;
    if (mtu >= 576 && mtu < 1500) draft.mtu = mtu;
    else if (mtu !== 1500) warnings.add(cmd.line, `${label}: max-mtu ${quote(mtuText)} is outside 576–1500; not kept`);
  }
  const profile = param(cmd, 'profile');
  if (profile !== undefined && profile !== 'default' && profile !== 'default-encryption') {
    warnings.add(
      cmd.line,
      `${label}: PPP profile ${quote(profile)} lives on the router; its settings (DNS, addresses) are not imported`,
    );
  }

  const password = param(cmd, 'password');
  collector.add({
    line: cmd.line,
    rawName: name,
    fallbackName: server.host,
    draft,
    secrets: password !== undefined ? { password } : {},
  });
}

export function importMikrotik(fileName: string, bytes: Uint8Array): ImportResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  return decoded.ok ? parseMikrotik(file, decoded.value.lines) : decoded;
}

/** The same, from decoded lines; `file` is the display name used in messages. */
export function parseMikrotik(file: string, lines: readonly string[]): ImportResult {
  const warnings = new Warnings(file);
  const script = readRouterOs(lines);
  warnings.addLines(script.broken, 'unclosed quote or bracket; statement ignored');
  const routes = routesByGateway(script.commands);
  const collector = new ProfileCollector(warnings);
  for (const cmd of script.commands) {
    if (cmd.menu !== SSTP_CLIENT_MENU) continue;
    if (cmd.verb !== 'add') {
      if (cmd.verb === 'set' || cmd.verb === 'remove')
        warnings.add(cmd.line, `"${cmd.verb}" in /interface sstp-client is not applied; only "add" lines are imported`);
      continue;
    }
    if (collector.full) {
      collector.overflow(cmd.line);
      break;
    }
    mapClient(cmd, routes, warnings, collector);
  }
  return collector.result('mikrotik', '/interface sstp-client entries');
}
