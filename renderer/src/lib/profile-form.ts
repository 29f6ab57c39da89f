// The editor's flat form model and its mapping to and from a ProfileDraft. Validation is main's
// (one schema, in the services): the form only shapes values.
import type { Profile, ProfileDraft } from '$contract';

export type AuthMethodName = 'pap' | 'chap' | 'mschapv2' | 'eap-mschapv2' | 'eap-tls' | 'eap-peap';
export const AUTH_METHOD_LABELS: Record<AuthMethodName, string> = {
  mschapv2: 'MS-CHAPv2',
  'eap-mschapv2': 'EAP-MSCHAPv2',
  'eap-tls': 'EAP-TLS (client certificate)',
  'eap-peap': 'PEAP (Protected EAP, EAP-MSCHAPv2 inside)',
  chap: 'CHAP',
  pap: 'PAP (sends the password in the clear inside TLS)',
};

/** The wait's field label: the engine's auth-timeout message tells the user to raise "Authentication wait". */
export const AUTH_WAIT_LABEL = 'Authentication wait';

export interface ProfileForm {
  name: string;
  host: string;
  port: string;
  username: string;
  authMethods: AuthMethodName[];
  /** An explicit opt-in, shown with a warning: off refuses a server that asks for no authentication. */
  allowNoAuthentication: boolean;
  /** Ask for a one-time code at each connect: off, password+code ('append') or the code alone ('replace'). */
  otpMode: 'off' | 'append' | 'replace';
  /** Seconds authentication may wait for the server (an MFA push); empty: the default (60). */
  authWait: string;
  tlsMin: 'TLSv1.2' | 'TLSv1.3';
  sni: string;
  caFile: string;
  pinnedSha256: string;
  insecure: boolean;
  /** Which kind of client certificate: none, a PKCS#12 file, or a PEM certificate file (key in the keychain). */
  clientCertKind: 'none' | 'pkcs12' | 'pem';
  pkcs12File: string;
  certificateFile: string;
  /** The sign-in (EAP) server's certificate inside EAP-TLS / PEAP; all empty: judged like the VPN server's. */
  eapPinnedSha256: string;
  eapCaFile: string;
  eapServerName: string;
  proxyHost: string;
  proxyPort: string;
  proxyUsername: string;
  /** Without a proxy host: use GNOME's proxy settings (profile.systemProxy). */
  systemProxy: boolean;
  routingMode: 'full' | 'split';
  routes: string;
  /** profile.dnsSearchDomains, comma- or space-separated; empty leaves the field out. */
  searchDomains: string;
  dns: boolean;
  ipv6: boolean;
  mtu: string;
  /** Clamp TCP SYNs' MSS to the tunnel MTU − 40; off leaves the field out (absent = off). */
  mssClamp: boolean;
  /** The profile's own kill switch; '' leaves the field out (Preferences decide). */
  killSwitch: '' | 'off' | 'on' | 'always';
  /** With the kill switch on: let the local network through. */
  killSwitchLan: boolean;
  reconnect: boolean;
  reconnectMax: string;
  autoConnect: boolean;
}

export function emptyForm(): ProfileForm {
  return {
    name: '',
    host: '',
    port: '443',
    username: '',
    authMethods: ['mschapv2', 'eap-mschapv2'],
    allowNoAuthentication: false,
    otpMode: 'off',
    authWait: '',
    tlsMin: 'TLSv1.2',
    sni: '',
    caFile: '',
    pinnedSha256: '',
    insecure: false,
    clientCertKind: 'none',
    pkcs12File: '',
    certificateFile: '',
    eapPinnedSha256: '',
    eapCaFile: '',
    eapServerName: '',
    proxyHost: '',
    proxyPort: '8080',
    proxyUsername: '',
    systemProxy: false,
    routingMode: 'full',
    routes: '',
    searchDomains: '',
    dns: true,
    ipv6: false,
    mtu: '',
    mssClamp: false,
    killSwitch: '',
    killSwitchLan: false,
    reconnect: true,
    reconnectMax: '',
    autoConnect: false,
  };
}

function clientCertKindOf(c: Profile['tls']['clientCertificate']): ProfileForm['clientCertKind'] {
  if (c === undefined) return 'none';
  return 'pkcs12File' in c ? 'pkcs12' : 'pem';
}

export function formFrom(p: Profile): ProfileForm {
  return {
    name: p.name,
    host: p.server.host,
    port: String(p.server.port),
    username: p.username,
    authMethods: [...p.authMethods],
    allowNoAuthentication: p.allowNoAuthentication === true,
    otpMode: p.otp?.mode ?? 'off',
    authWait: p.authWaitSeconds !== undefined ? String(p.authWaitSeconds) : '',
    tlsMin: p.tls.minVersion,
    sni: p.tls.sni ?? '',
    caFile: p.tls.caFile ?? '',
    pinnedSha256: p.tls.pinnedSha256 ?? '',
    insecure: p.tls.insecure,
    clientCertKind: clientCertKindOf(p.tls.clientCertificate),
    pkcs12File:
      p.tls.clientCertificate && 'pkcs12File' in p.tls.clientCertificate ? p.tls.clientCertificate.pkcs12File : '',
    certificateFile:
      p.tls.clientCertificate && 'certificateFile' in p.tls.clientCertificate
        ? p.tls.clientCertificate.certificateFile
        : '',
    eapPinnedSha256: p.eapTrust?.pinnedSha256 ?? '',
    eapCaFile: p.eapTrust?.caFile ?? '',
    eapServerName: p.eapTrust?.serverName ?? '',
    proxyHost: p.proxy?.host ?? '',
    proxyPort: String(p.proxy?.port ?? 8080),
    proxyUsername: p.proxy?.username ?? '',
    systemProxy: p.systemProxy === true,
    routingMode: p.routing.mode,
    routes: p.routing.mode === 'split' ? p.routing.routes.join('\n') : '',
    searchDomains: (p.dnsSearchDomains ?? []).join(', '),
    dns: p.dns,
    ipv6: p.ipv6,
    mtu: p.mtu !== undefined ? String(p.mtu) : '',
    mssClamp: p.mssClamp === true,
    killSwitch: p.killSwitch?.mode ?? '',
    killSwitchLan: p.killSwitch?.allowLan === true,
    reconnect: p.reconnect.enabled,
    reconnectMax: p.reconnect.maxAttempts !== undefined ? String(p.reconnect.maxAttempts) : '',
    autoConnect: p.autoConnect,
  };
}

// Numbers stay numbers when they parse and strings otherwise, so main's message names the field.
const num = (s: string): number | string => (/^\s*\d+\s*$/.test(s) ? Number(s) : s);
const opt = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());
/** A list field's entries: separated by commas, spaces or newlines. */
const list = (s: string): string[] => s.split(/[\s,]+/).filter((e) => e !== '');

export function draftFrom(f: ProfileForm): ProfileDraft {
  const tls: Record<string, unknown> = { minVersion: f.tlsMin, insecure: f.insecure };
  if (opt(f.sni)) tls['sni'] = opt(f.sni);
  if (opt(f.caFile)) tls['caFile'] = opt(f.caFile);
  if (opt(f.pinnedSha256)) tls['pinnedSha256'] = opt(f.pinnedSha256);
  if (f.clientCertKind === 'pkcs12' && opt(f.pkcs12File)) tls['clientCertificate'] = { pkcs12File: opt(f.pkcs12File) };
  if (f.clientCertKind === 'pem' && opt(f.certificateFile))
    tls['clientCertificate'] = { certificateFile: opt(f.certificateFile) };
  const draft: Record<string, unknown> = {
    name: f.name,
    server: { host: f.host.trim(), port: num(f.port) },
    username: f.username,
    authMethods: f.authMethods,
    tls,
    routing: f.routingMode === 'full' ? { mode: 'full' } : { mode: 'split', routes: list(f.routes) },
    dns: f.dns,
    ipv6: f.ipv6,
    reconnect: { enabled: f.reconnect, ...(opt(f.reconnectMax) ? { maxAttempts: num(f.reconnectMax) } : {}) },
    autoConnect: f.autoConnect,
  };
  if (f.allowNoAuthentication) draft['allowNoAuthentication'] = true;
  if (f.otpMode !== 'off') draft['otp'] = { mode: f.otpMode };
  if (opt(f.authWait)) draft['authWaitSeconds'] = num(f.authWait);
  const eapTrust: Record<string, unknown> = {};
  if (opt(f.eapPinnedSha256)) eapTrust['pinnedSha256'] = opt(f.eapPinnedSha256);
  if (opt(f.eapCaFile)) eapTrust['caFile'] = opt(f.eapCaFile);
  if (opt(f.eapServerName)) eapTrust['serverName'] = opt(f.eapServerName);
  if (Object.keys(eapTrust).length > 0) draft['eapTrust'] = eapTrust;
  if (opt(f.proxyHost))
    draft['proxy'] = {
      host: f.proxyHost.trim(),
      port: num(f.proxyPort),
      ...(opt(f.proxyUsername) ? { username: opt(f.proxyUsername) } : {}),
    };
  else if (f.systemProxy) draft['systemProxy'] = true;
  // Kept in full tunnel too (the editor shows a non-empty list there): dropping it would lose what a file set.
  const searchDomains = list(f.searchDomains);
  if (searchDomains.length > 0) draft['dnsSearchDomains'] = searchDomains;
  if (opt(f.mtu)) draft['mtu'] = num(f.mtu);
  if (f.mssClamp) draft['mssClamp'] = true;
  if (f.killSwitch)
    draft['killSwitch'] = {
      mode: f.killSwitch,
      ...(f.killSwitch !== 'off' && f.killSwitchLan ? { allowLan: true } : {}),
    };
  // The shape is main's to judge; this cast only names what we meant to build.
  return draft as unknown as ProfileDraft;
}
