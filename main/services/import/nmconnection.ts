// NetworkManager keyfile (/etc/NetworkManager/system-connections/*.nmconnection) for the SSTP plugin
// (network-manager-sstp, service-type=org.freedesktop.NetworkManager.sstp). One connection per file.
// Keys read:
//   [connection] id, type (must be vpn), autoconnect
//   [vpn]        service-type, gateway (host[:port]), user, domain, connection-type (password | tls),
//                ca-cert, ignore-cert-warn, proxy-server, proxy-port, proxy-user,
//                refuse-eap / -pap / -chap / -mschap / -mschapv2, mtu, lcp-echo-failure, lcp-echo-interval
//   [vpn-secrets] password, proxy-password (to the caller's keychain, never into the profile)
//   [ipv4]       never-default, routeN, ignore-auto-dns, dns      [ipv6] method, routeN
// tls-ext (send SNI) needs no mapping: Causeway always sends SNI when the server is a host name.
//
// ignore-cert-warn=yes (sstpc --cert-warn) is NOT carried over as "insecure": that would silently accept
// any certificate forever. The profile keeps verification on, so the first connection shows the server's
// certificate and asks the user to trust (pin) it — an explicit decision instead of an inherited one.
import type { AuthMethod } from '../../engine/config.js';
import type { ProfileDraft } from '../../contract/profile.js';
import { byPreference, PREFERENCE } from './auth-methods.js';
import { ProfileCollector } from './collector.js';
import { decodeText } from './decode.js';
import { displayFileName, importError, quote, Warnings } from './diagnostics.js';
import { parseHostPort, parsePort } from './host-port.js';
import { lastEntry, readIni, type IniDocument, type IniEntry, type IniSection } from './ini.js';
import type { ImportResult } from './types.js';

export const NM_SSTP_SERVICE = 'org.freedesktop.NetworkManager.sstp';

const KNOWN_VPN_KEYS = new Set([
  'service-type',
  'gateway',
  'user',
  'domain',
  'connection-type',
  'ca-cert',
  'ignore-cert-warn',
  'tls-ext',
  'proxy-server',
  'proxy-port',
  'proxy-user',
  'refuse-eap',
  'refuse-pap',
  'refuse-chap',
  'refuse-mschap',
  'refuse-mschapv2',
  'mtu',
  'lcp-echo-failure',
  'lcp-echo-interval',
  'password-flags',
  'proxy-password-flags',
  // Understood and deliberately without effect here: compression and MPPE are PPP-over-serial concerns
  // (SSTP already runs inside TLS), the rest is the plugin's own bookkeeping.
  'require-mppe',
  'require-mppe-40',
  'require-mppe-128',
  'mppe-stateful',
  'nobsdcomp',
  'nodeflate',
  'no-vj-comp',
  'uuid',
  'unit',
  'no-secret',
  'tls-max-version',
  'tls-verify-key-usage',
  'tls-user-key-secret-flags',
  // connection-type=tls keys, reported together below.
  'tls-ca-cert',
  'tls-identity',
  'tls-subject-name',
  'tls-user-cert',
  'tls-user-key',
  'tls-verify-method',
  'tls-remotename',
  'crl-file',
]);

const REFUSE: Record<string, AuthMethod | undefined> = {
  'refuse-mschapv2': 'mschapv2',
  'refuse-eap': 'eap-mschapv2',
  'refuse-chap': 'chap',
  'refuse-pap': 'pap',
  'refuse-mschap': undefined, // MS-CHAP v1: Causeway never offers it
};

/** GLib keyfile escapes: \s \t \n \r \\ (and \; inside lists). */
export function unescapeKeyfile(value: string): string {
  return value.replace(
    /\\(.)/g,
    (_, c: string) => ({ s: ' ', t: '\t', n: '\n', r: '\r', '\\': '\\', ';': ';' })[c] ?? `\\${c}`,
  );
}

function section(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find((s) => s.name === name);
}

function value(s: IniSection | undefined, key: string): { value: string; line: number } | undefined {
  const e: IniEntry | undefined = s ? lastEntry(s, key) : undefined;
  return e ? { value: unescapeKeyfile(e.value), line: e.line } : undefined;
}

const isYes = (v: { value: string } | undefined): boolean => v !== undefined && /^(yes|true|1)$/i.test(v.value);

/** routeN=dest/prefix[,gateway[,metric]] or the older "dest/prefix gateway metric". */
function routes(s: IniSection | undefined, warnings: Warnings): string[] {
  if (!s) return [];
  const out: string[] = [];
  for (const e of s.entries) {
    if (!/^routes?\d+$/.test(e.key)) continue;
    const dest = unescapeKeyfile(e.value).split(/[,;\s]/)[0] ?? '';
    if (dest.length <= 50 && /^[0-9a-f.:]+\/\d{1,3}$/i.test(dest)) out.push(dest);
    else warnings.add(e.line, `route ${quote(e.value)} not understood; ignored`);
  }
  return out;
}

function authMethods(vpn: IniSection): AuthMethod[] | undefined {
  const refused = Object.keys(REFUSE).filter((k) => isYes(value(vpn, k)));
  // Without any refuse-* the plugin allows everything, PAP included; Causeway's own default
  // (MS-CHAPv2 family) is the safer reading of "the user did not choose".
  if (refused.length === 0) return undefined;
  const out = new Set<AuthMethod>(PREFERENCE);
  for (const k of refused) {
    const m = REFUSE[k];
    if (m) out.delete(m);
  }
  return byPreference(out);
}

function mapConnection(
  doc: IniDocument,
  warnings: Warnings,
  collector: ProfileCollector,
  file: string,
): ImportResult | undefined {
  const connection = section(doc, 'connection');
  const vpn = section(doc, 'vpn');
  const type = value(connection, 'type');
  if (type && type.value !== 'vpn') {
    return {
      ok: false,
      error: importError('not-sstp', file, type.line, `this is a ${quote(type.value)} connection, not a VPN`),
    };
  }
  if (!vpn)
    return {
      ok: false,
      error: importError('malformed', file, 0, 'no [vpn] section: not a NetworkManager VPN connection'),
    };
  const service = value(vpn, 'service-type');
  if (!service || service.value !== NM_SSTP_SERVICE) {
    const what = service ? `service-type ${quote(service.value)} is not the SSTP plugin` : 'no service-type in [vpn]';
    return {
      ok: false,
      error: importError(
        'not-sstp',
        file,
        service?.line ?? vpn.line,
        `${what}; only ${NM_SSTP_SERVICE} connections can be imported`,
      ),
    };
  }

  const id = value(connection, 'id');
  const name = id?.value ?? '';
  const line = connection?.line ?? vpn.line;
  for (const e of vpn.entries) {
    if (!KNOWN_VPN_KEYS.has(e.key)) warnings.add(e.line, `unknown [vpn] key ${quote(e.key)}; ignored`);
  }

  if (value(vpn, 'connection-type')?.value === 'tls') {
    warnings.add(
      value(vpn, 'connection-type')?.line ?? vpn.line,
      `${quote(name)} uses certificate (EAP-TLS) authentication, which Causeway does not support; skipped`,
    );
    return undefined;
  }
  const gateway = value(vpn, 'gateway');
  if (!gateway || gateway.value === '') {
    warnings.add(vpn.line, `${quote(name)} has no gateway; skipped`);
    return undefined;
  }
  const server = parseHostPort(gateway.value);
  if (!server.ok) {
    warnings.add(gateway.line, `gateway ${quote(gateway.value)} ${server.reason}; ${quote(name)} skipped`);
    return undefined;
  }

  const user = value(vpn, 'user')?.value ?? '';
  const domain = value(vpn, 'domain')?.value ?? '';
  const draft: Omit<ProfileDraft, 'name'> = {
    server: server.port === undefined ? { host: server.host } : { host: server.host, port: server.port },
    username: domain !== '' && user !== '' ? `${domain}\\${user}` : user,
  };

  const auth = authMethods(vpn);
  if (auth && auth.length === 0) {
    warnings.add(vpn.line, `${quote(name)} refuses every authentication method Causeway supports; skipped`);
    return undefined;
  }
  if (auth) draft.authMethods = auth;

  const tls: NonNullable<ProfileDraft['tls']> = {};
  const ca = value(vpn, 'ca-cert');
  if (ca && ca.value !== '') tls.caFile = ca.value.replace(/^file:\/\//, '');
  const ignoreWarn = value(vpn, 'ignore-cert-warn');
  if (isYes(ignoreWarn)) {
    warnings.add(
      ignoreWarn?.line ?? vpn.line,
      `${quote(name)}: ignore-cert-warn=yes is not carried over; certificate checks stay on and the first connection will ask you to trust the server's certificate`,
    );
  }
  tls.insecure = false;
  draft.tls = tls;

  const proxyServer = value(vpn, 'proxy-server');
  if (proxyServer && proxyServer.value !== '') {
    const portText = value(vpn, 'proxy-port');
    const port = portText ? parsePort(portText.value) : undefined;
    if (port === undefined) {
      warnings.add(
        portText?.line ?? proxyServer.line,
        `${quote(name)}: proxy-server without a valid proxy-port; proxy not imported`,
      );
    } else {
      const proxyUser = value(vpn, 'proxy-user')?.value ?? '';
      draft.proxy =
        proxyUser !== '' ? { host: proxyServer.value, port, username: proxyUser } : { host: proxyServer.value, port };
    }
  }

  const mtu = value(vpn, 'mtu');
  if (mtu) {
    const n = /^\d{1,5}$/.test(mtu.value) ? Number(mtu.value) : NaN;
    if (n >= 576 && n <= 1500) draft.mtu = n;
    else warnings.add(mtu.line, `${quote(name)}: mtu ${quote(mtu.value)} is outside 576–1500; not kept`);
  }
  const echo = [value(vpn, 'lcp-echo-interval'), value(vpn, 'lcp-echo-failure')].filter(
    (v) => v && v.value !== '' && v.value !== '0',
  );
  if (echo[0])
    warnings.add(
      echo[0].line,
      `${quote(name)}: LCP echo settings are not kept; Causeway detects a dead server on its own`,
    );

  const ipv4 = section(doc, 'ipv4');
  const ipv6 = section(doc, 'ipv6');
  const ipv6Method = value(ipv6, 'method');
  if (ipv6Method) draft.ipv6 = !/^(ignore|disabled)$/.test(ipv6Method.value);
  const neverDefault = value(ipv4, 'never-default');
  if (isYes(neverDefault)) {
    const nets = [...routes(ipv4, warnings), ...(draft.ipv6 ? routes(ipv6, warnings) : [])];
    if (nets.length > 0) draft.routing = { mode: 'split', routes: nets };
    else {
      warnings.add(
        neverDefault?.line ?? 0,
        `${quote(name)}: never-default=true without routes; imported as full tunnel — add the networks to route to make it split`,
      );
      draft.routing = { mode: 'full' };
    }
  } else draft.routing = { mode: 'full' };
  const ignoreDns = value(ipv4, 'ignore-auto-dns');
  draft.dns = !isYes(ignoreDns);
  const staticDns = value(ipv4, 'dns');
  if (staticDns && staticDns.value.replace(/;/g, '') !== '') {
    warnings.add(staticDns.line, `${quote(name)}: static DNS servers ${quote(staticDns.value)} are not kept`);
  }
  draft.autoConnect = isYes(value(connection, 'autoconnect'));

  const secretsSection = section(doc, 'vpn-secrets');
  const password = value(secretsSection, 'password')?.value;
  const proxyPassword = value(secretsSection, 'proxy-password')?.value;
  if (value(secretsSection, 'tls-user-key-secret')) {
    warnings.add(value(secretsSection, 'tls-user-key-secret')?.line ?? 0, 'tls-user-key-secret is not imported');
  }
  collector.add({
    line,
    rawName: name,
    fallbackName: server.host,
    draft,
    secrets: {
      ...(password !== undefined ? { password } : {}),
      ...(proxyPassword !== undefined ? { proxyPassword } : {}),
    },
  });
  return undefined;
}

export function importNmConnection(fileName: string, bytes: Uint8Array): ImportResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  return decoded.ok ? parseNmConnection(file, decoded.value.lines) : decoded;
}

/** The same, from decoded lines; `file` is the display name used in messages. */
export function parseNmConnection(file: string, lines: readonly string[]): ImportResult {
  const warnings = new Warnings(file);
  const doc = readIni(lines, { commentPrefixes: '#;' });
  if (doc.sections.length === 0)
    return { ok: false, error: importError('malformed', file, 0, 'no [sections]: not a NetworkManager keyfile') };
  if (doc.orphans.length > 0)
    warnings.addLines(
      doc.orphans.map((e) => e.line),
      'key outside any [section]; ignored',
    );
  warnings.addLines(doc.unreadable, 'not "key=value" or "[section]"; ignored');
  const collector = new ProfileCollector(warnings);
  const failed = mapConnection(doc, warnings, collector, file);
  return failed ?? collector.result('nmconnection', 'SSTP connection');
}
