// Windows phonebook (rasphone.pbk): an INI file, one [section] per connection, written by Windows as
// UTF-16LE with a BOM or in the ANSI code page. Keys read (MS-RRASM §2.2.2, ras.h):
//   Type                 2 = VPN; 1 dial-up, 3 direct, 4/5 broadband are skipped
//   VpnStrategy          5 SSTP only, 6 SSTP first, 12/13/14 PPTP/L2TP/IKEv2 then SSTP, 8 IKEv2 first (then
//                        SSTP), 0 automatic, 15 protocol list; 1–4, 7, 9 never use SSTP and are skipped
//   PreferredDevice, Device   "WAN Miniport (SSTP)" decides when VpnStrategy does not
//   PhoneNumber          the server, host[:port]; later PhoneNumber lines (each with its own AreaCode,
//                        CountryCode, Comment… group) are alternates, imported as alternateServers
//   TryNextAlternateOnFail   1 (Windows' default) = hunt through the alternates on failure; 0 = not
//   LastSelectedPhone    index of the number dialled first (the others follow in file order)
//   AuthRestrictions     bit flags: 0x8 PAP, 0x20 CHAP, 0x40 MS-CHAP, 0x80 EAP, 0x200 MS-CHAPv2
//   CustomAuthKey        EAP type when EAP is allowed: 26 EAP-MSCHAPv2, 25 PEAP, 13 EAP-TLS
//   IpPrioritizeRemote   1 = default gateway on the remote network (full tunnel), 0 = split
//   IpNameAssign         1 = DNS from the server, 2 = the static IpDnsAddress / IpDns2Address
//   ExcludedProtocols    0x8 = IPv6 off (0x4 = IPv4 off, which Causeway cannot do)
//   RedialOnLinkFailure, RedialAttempts   → reconnect policy
//   User / UserName      not written by Windows (it keeps credentials elsewhere) but read when present
// Every other key (about a hundred, for modems, ISDN, X.25, scripting…) is ignored without a warning.
import type { AuthMethod } from '../../engine/config.js';
import { isServerHost, MAX_ALTERNATE_SERVERS, type ProfileDraft } from '../../contract/profile.js';
import { byPreference } from './auth-methods.js';
import { ProfileCollector } from './collector.js';
import { decodeText } from './decode.js';
import { displayFileName, quote, Warnings } from './diagnostics.js';
import { parseHostPort } from './host-port.js';
import { allEntries, lastEntry, readIni, type IniEntry, type IniSection } from './ini.js';
import type { ImportResult } from './types.js';

const STRATEGY: Record<number, string> = {
  0: 'automatic',
  1: 'PPTP only',
  2: 'PPTP first, then L2TP',
  3: 'L2TP only',
  4: 'L2TP first, then PPTP and IKEv2',
  5: 'SSTP only',
  6: 'SSTP first',
  7: 'IKEv2 only',
  8: 'IKEv2 first, then the others',
  9: 'GRE only',
  12: 'PPTP, then SSTP',
  13: 'L2TP, then SSTP',
  14: 'IKEv2, then SSTP',
  15: 'a protocol list',
};
const NEVER_SSTP = new Set([1, 2, 3, 4, 7, 9]);
const SSTP_FALLBACK = new Set([8, 12, 13, 14]);

const TYPE: Record<number, string> = {
  1: 'a dial-up (modem/ISDN) entry',
  3: 'a direct-cable entry',
  4: 'a broadband (PPPoE) entry',
  5: 'a broadband entry',
};

const AR_PAP = 0x8;
const AR_CHAP = 0x20;
const AR_MSCHAP = 0x40;
const AR_EAP = 0x80;
const AR_MSCHAP2 = 0x200;
const EAP_MSCHAPV2 = 26;
/** Windows' "Protected EAP (PEAP)"; its inner method is in CustomAuthData, which we do not read: we run EAP-MSCHAPv2 inside. */
const EAP_PEAP = 25;

const EXCLUDE_IPV4 = 0x4;
const EXCLUDE_IPV6 = 0x8;

function intOf(entry: IniEntry | undefined): number | undefined {
  if (!entry || !/^\d{1,10}$/.test(entry.value)) return undefined;
  return Number(entry.value);
}

type Verdict = { readonly keep: true; readonly note?: string } | { readonly keep: false; readonly reason: string };

function judge(section: IniSection): Verdict & { line: number } {
  const typeEntry = lastEntry(section, 'Type', true);
  const type = intOf(typeEntry);
  if (type !== undefined && type !== 2) {
    return {
      keep: false,
      reason: `Type=${type} is ${TYPE[type] ?? 'not a VPN entry'}`,
      line: typeEntry?.line ?? section.line,
    };
  }
  const strategyEntry = lastEntry(section, 'VpnStrategy', true);
  const strategy = intOf(strategyEntry);
  const line = strategyEntry?.line ?? section.line;
  const named = strategy === undefined ? '' : `VpnStrategy=${strategy} (${STRATEGY[strategy] ?? 'unknown'})`;
  if (strategy === 5 || strategy === 6) return { keep: true, line };
  if (strategy !== undefined && NEVER_SSTP.has(strategy))
    return { keep: false, reason: `${named} never uses SSTP`, line };
  if (strategy !== undefined && SSTP_FALLBACK.has(strategy)) {
    return { keep: true, note: `${named}: Windows tries another protocol first; Causeway speaks SSTP only`, line };
  }
  const devices = [lastEntry(section, 'PreferredDevice', true), ...allEntries(section, 'Device', true)].filter(
    (e): e is IniEntry => e !== undefined && e.value !== '',
  );
  if (devices.some((d) => /\(SSTP\)/i.test(d.value))) return { keep: true, line };
  const other = devices.find((d) => /\((PPTP|L2TP|IKEv2|GRE)\)/i.test(d.value));
  const what = named || 'no VpnStrategy';
  if (other)
    return { keep: false, reason: `${what} and its device is ${quote(other.value)}, not SSTP`, line: other.line };
  return {
    keep: true,
    note: `${what} and no SSTP device: cannot tell whether this server speaks SSTP; imported anyway`,
    line,
  };
}

function authMethods(section: IniSection, name: string, warnings: Warnings): AuthMethod[] | undefined | 'none' {
  const entry = lastEntry(section, 'AuthRestrictions', true);
  const flags = intOf(entry);
  if (flags === undefined || flags === 0 || !entry) return undefined;
  const methods = new Set<AuthMethod>();
  if (flags & AR_MSCHAP2) methods.add('mschapv2');
  if (flags & AR_CHAP) methods.add('chap');
  if (flags & AR_PAP) methods.add('pap');
  if (flags & AR_EAP) {
    const eap = lastEntry(section, 'CustomAuthKey', true);
    const eapType = intOf(eap);
    if (eapType === EAP_MSCHAPV2 || eapType === undefined) methods.add('eap-mschapv2');
    else if (eapType === EAP_PEAP) methods.add('eap-peap');
    else
      warnings.add(
        eap?.line ?? entry.line,
        `${quote(name)}: EAP type ${eapType} (${eapType === 13 ? 'EAP-TLS / smart card' : 'unknown'}) is not supported`,
      );
  }
  if (flags & AR_MSCHAP) warnings.add(entry.line, `${quote(name)}: MS-CHAP (v1) is not supported and was left out`);
  // PEAP only comes from a phonebook that names it (the other importers' sources cannot), so it is
  // kept here, after the methods of the shared preference order.
  return methods.size === 0
    ? 'none'
    : [...byPreference(methods), ...(methods.has('eap-peap') ? (['eap-peap'] as const) : [])];
}

function mapEntry(section: IniSection, warnings: Warnings, collector: ProfileCollector): void {
  const name = section.name;
  const verdict = judge(section);
  if (!verdict.keep) {
    warnings.add(verdict.line, `${verdict.reason}; entry ${quote(name)} skipped`);
    return;
  }
  if (verdict.note) warnings.add(verdict.line, `${quote(name)}: ${verdict.note}`);

  const phones = allEntries(section, 'PhoneNumber', true).filter((e) => e.value !== '');
  const phone = phones[0];
  if (!phone) {
    warnings.add(section.line, `entry ${quote(name)} has no server (PhoneNumber); skipped`);
    return;
  }
  const ordered = dialOrder(section, phones);
  const first = ordered[0] ?? phone;
  const server = parseHostPort(first.value);
  if (!server.ok) {
    warnings.add(first.line, `PhoneNumber ${quote(first.value)} ${server.reason}; entry ${quote(name)} skipped`);
    return;
  }

  const draft: Omit<ProfileDraft, 'name'> = {
    server: server.port === undefined ? { host: server.host } : { host: server.host, port: server.port },
    username: (lastEntry(section, 'UserName', true) ?? lastEntry(section, 'User', true))?.value ?? '',
  };
  const alternates = alternateServers(section, name, ordered.slice(1), warnings);
  if (alternates.length > 0) draft.alternateServers = alternates;

  const auth = authMethods(section, name, warnings);
  if (auth === 'none') {
    warnings.add(
      lastEntry(section, 'AuthRestrictions', true)?.line ?? section.line,
      `entry ${quote(name)} allows no authentication method Causeway supports; skipped`,
    );
    return;
  }
  if (auth) draft.authMethods = auth;

  const remote = lastEntry(section, 'IpPrioritizeRemote', true);
  if (remote && remote.value === '0') {
    warnings.add(
      remote.line,
      `${quote(name)}: split tunnel (IpPrioritizeRemote=0), but a phonebook carries no routes; imported as full tunnel — add the networks to route to make it split`,
    );
  }
  draft.routing = { mode: 'full' };

  const nameAssign = lastEntry(section, 'IpNameAssign', true);
  if (nameAssign?.value === '2') {
    const servers = [lastEntry(section, 'IpDnsAddress', true), lastEntry(section, 'IpDns2Address', true)]
      .map((e) => e?.value ?? '')
      .filter((v) => v !== '' && v !== '0.0.0.0');
    if (servers.length > 0) {
      warnings.add(
        nameAssign.line,
        `${quote(name)}: static DNS servers ${servers.map(quote).join(', ')} are not kept; the server's DNS will be used`,
      );
    }
  }
  draft.dns = true;

  const excludedEntry = lastEntry(section, 'ExcludedProtocols', true);
  const excluded = intOf(excludedEntry);
  if (excluded !== undefined && excludedEntry) {
    draft.ipv6 = (excluded & EXCLUDE_IPV6) === 0;
    if (excluded & EXCLUDE_IPV4)
      warnings.add(excludedEntry.line, `${quote(name)}: IPv4 is turned off in this entry; Causeway always uses IPv4`);
  }

  const onFailure = lastEntry(section, 'RedialOnLinkFailure', true);
  if (onFailure && (onFailure.value === '0' || onFailure.value === '1')) {
    const attempts = intOf(lastEntry(section, 'RedialAttempts', true));
    draft.reconnect =
      onFailure.value === '1' && attempts !== undefined && attempts >= 1
        ? { enabled: true, maxAttempts: Math.min(attempts, 1000) }
        : { enabled: onFailure.value === '1' };
  }

  collector.add({ line: section.line, rawName: name, fallbackName: server.host, draft, secrets: {} });
}

/** The numbers in the order Windows dials them: LastSelectedPhone first, then the rest as listed. */
function dialOrder(section: IniSection, phones: readonly IniEntry[]): IniEntry[] {
  const last = intOf(lastEntry(section, 'LastSelectedPhone', true));
  const chosen = last !== undefined ? phones[last] : undefined;
  return chosen ? [chosen, ...phones.filter((p) => p !== chosen)] : [...phones];
}

function alternateServers(
  section: IniSection,
  name: string,
  rest: readonly IniEntry[],
  warnings: Warnings,
): { host: string; port?: number }[] {
  if (rest.length === 0) return [];
  const hunt = lastEntry(section, 'TryNextAlternateOnFail', true);
  if (hunt?.value === '0') {
    warnings.add(
      hunt.line,
      `${quote(name)}: alternate servers ${rest.map((p) => quote(p.value)).join(', ')} not imported: the entry does not try them on failure (TryNextAlternateOnFail=0)`,
    );
    return [];
  }
  const out: { host: string; port?: number }[] = [];
  for (const p of rest) {
    const hp = parseHostPort(p.value);
    if (!hp.ok) warnings.add(p.line, `${quote(name)}: alternate PhoneNumber ${quote(p.value)} ${hp.reason}; left out`);
    else if (!isServerHost(hp.host))
      warnings.add(
        p.line,
        `${quote(name)}: alternate PhoneNumber ${quote(p.value)} is not a host name or address; left out`,
      );
    else if (out.length >= MAX_ALTERNATE_SERVERS)
      warnings.add(
        p.line,
        `${quote(name)}: more than ${MAX_ALTERNATE_SERVERS} alternate servers; ${quote(p.value)} left out`,
      );
    else out.push(hp.port === undefined ? { host: hp.host } : { host: hp.host, port: hp.port });
  }
  return out;
}

export function importPbk(fileName: string, bytes: Uint8Array): ImportResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  return decoded.ok ? parsePbk(file, decoded.value.lines) : decoded;
}

/** The same, from decoded lines; `file` is the display name used in messages. */
export function parsePbk(file: string, lines: readonly string[]): ImportResult {
  const warnings = new Warnings(file);
  const doc = readIni(lines, { commentPrefixes: ';#' });
  if (doc.orphans.length > 0) warnings.add(doc.orphans[0]?.line ?? 0, 'lines before the first [entry] are ignored');
  warnings.addLines(doc.unreadable, 'not "key=value" or "[entry]"; ignored');
  const collector = new ProfileCollector(warnings);
  for (const section of doc.sections) {
    if (collector.full) {
      collector.overflow(section.line);
      break;
    }
    mapEntry(section, warnings, collector);
  }
  return collector.result('pbk', 'SSTP phonebook entries');
}
