// The flags of `profiles add` and `profiles edit`, turned into a change to a profile draft. Pure: files
// (the CA) and secrets (stdin) are only named here; the command reads and stores them. The profile
// schema has the last word on every value, so this checks only what the schema cannot say well.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { normaliseFingerprint } from '../../engine/transport/certificate.js';
import { PROFILE_MTU_RANGE, type ProfileDraft } from '../../contract/profile.js';
import { OTP_MODES } from '../../engine/config.js';
import { parseIntegerOption } from '../integer-option.js';
import { dnsSearchConflict, parseDnsSearch } from './dns-search.js';
import { parseAuthList, parseAuthWait, parseHostPort, parseProxyUrl, type Parsed } from '../options.js';

/** What commander hands over. `false` comes from a --no-X flag; `undefined` means "not given". */
export interface ProfileFlagOptions {
  name?: string;
  server?: string;
  user?: string;
  auth?: string;
  tlsMin?: string;
  sni?: string | false;
  pin?: string | false;
  ca?: string | false;
  insecure?: boolean;
  allowNoAuth?: boolean;
  /** The sign-in (EAP) server's certificate: --eap-pin, --eap-ca, --eap-server-name (and their --no-). */
  eapPin?: string | false;
  eapCa?: string | false;
  eapServerName?: string | false;
  proxy?: string | false;
  /** --system-proxy / --no-system-proxy. */
  systemProxy?: boolean;
  split?: string[];
  full?: boolean;
  dns?: boolean;
  /** --dns-search DOMAIN[,DOMAIN...] (repeatable) / --no-dns-search. */
  dnsSearch?: string[] | false;
  ipv6?: boolean;
  mtu?: string;
  /** --otp MODE / --no-otp: ask for a one-time code at each connect. */
  otp?: string | false;
  authWait?: string;
  passwordStdin?: boolean;
  proxyPasswordStdin?: boolean;
  json?: boolean;
}

export interface ProfileEdits {
  /** The new draft from the current one (for `add`, from an empty start). */
  readonly apply: (current: ProfileDraft) => ProfileDraft;
  /** A CA file to import (copied under Causeway's config dir) once the profile is saved. */
  readonly caFile?: string;
  /** Which secret standard input carries, if any. */
  readonly stdinSecret?: 'password' | 'proxy-password';
  /** The proxy was removed: its password has no use any more. */
  readonly dropProxyPassword: boolean;
}

export function addProfileFlags(cmd: Command, mode: 'add' | 'edit'): Command {
  if (mode === 'add')
    cmd.requiredOption('--server <host[:port]>', 'the SSTP server (port 443 by default; [v6addr]:port for IPv6)');
  else cmd.option('--server <host[:port]>', 'the SSTP server').option('--name <new-name>', 'rename the profile');
  return cmd
    .option('-u, --user <name>', 'user name (e.g. alice, alice@HUB, DOMAIN\\alice)')
    .option('--password-stdin', 'read the password from standard input and save it in the OS keychain')
    .option(
      '--auth <methods>',
      'allowed authentication methods in order of preference: pap,chap,mschapv2,eap-mschapv2,eap-tls,eap-peap (default: mschapv2,eap-mschapv2; pap sends the password to whoever holds the server certificate)',
    )
    .addOption(new Option('--tls-min <version>', 'minimum TLS version (default: 1.2)').choices(['1.2', '1.3']))
    .option('--sni <name>', 'TLS server name to send (default: the host name)')
    .option('--no-sni', 'send the default server name again')
    .option('--pin <sha256:HEX>', 'trust exactly the server certificate with this SHA-256 fingerprint')
    .option('--no-pin', 'forget the pinned certificate')
    .option('--ca <file>', 'trust the CA certificate(s) in this PEM or DER file (a copy is kept with the profile)')
    .option('--no-ca', 'use the system CAs again')
    .option('--insecure', 'accept any server certificate (labs only)')
    .option('--no-insecure', 'check the server certificate again')
    .option(
      '--eap-pin <sha256:HEX>',
      "EAP-TLS/PEAP: trust exactly the sign-in (EAP) server certificate with this SHA-256 fingerprint (default: judged like the VPN server's)",
    )
    .option('--no-eap-pin', "forget the sign-in (EAP) server's pinned certificate")
    .option(
      '--eap-ca <file>',
      'EAP-TLS/PEAP: trust the CA certificate(s) in this PEM or DER file for the sign-in (EAP) server (the file is read at each connect)',
    )
    .option('--no-eap-ca', "forget the sign-in (EAP) server's CA file")
    .option('--eap-server-name <name>', "EAP-TLS/PEAP: the name the sign-in (EAP) server's certificate must carry")
    .option('--no-eap-server-name', "do not check the sign-in (EAP) server's name")
    .option(
      '--allow-no-auth',
      'carry on if the server asks for no authentication at all (labs only: nothing then proves it is your server)',
    )
    .option('--no-allow-no-auth', 'refuse a server that asks for no authentication again (the default)')
    .option(
      '--proxy <url>',
      'HTTP proxy: http://[user@]host:port (the proxy password goes through --proxy-password-stdin)',
    )
    .option('--no-proxy', 'connect directly')
    .option('--proxy-password-stdin', 'read the proxy password from standard input and save it in the OS keychain')
    .option(
      '--system-proxy',
      "without --proxy, use the system's proxy: GNOME's proxy settings in the app, https_proxy/no_proxy in the CLI",
    )
    .option('--no-system-proxy', 'connect directly unless --proxy is set (the default)')
    .option('--split <cidr...>', 'split tunnel: route only these networks through the VPN')
    .option('--full', 'full tunnel: route all traffic through the VPN (the default)')
    .option('--dns', "use the server's DNS servers (the default)")
    .option('--no-dns', "do not use the server's DNS servers")
    .option(
      '--dns-search <domain...>',
      "DNS search domains for the tunnel, comma-separated (replaces the list; in split tunnel only these names go to the server's DNS)",
    )
    .option('--no-dns-search', 'remove the DNS search domains')
    .option('--ipv6', 'also negotiate IPv6')
    .option('--no-ipv6', 'IPv4 only (the default)')
    .option('--mtu <bytes>', 'MTU of the tunnel, 576-1500 (the MRU asked of the server)')
    .option(
      '--otp <mode>',
      'ask for a one-time code at each connect and reconnect (never stored): append (password+code) or replace (the code alone)',
    )
    .option('--no-otp', 'do not ask for a one-time code (the default)')
    .option(
      '--auth-wait <seconds>',
      'how long sign-in may wait for the server, e.g. for an MFA push on your phone (5-600; default 60)',
    )
    .option('--json', 'print the saved profile as JSON');
}

export function parseProfileFlags(o: ProfileFlagOptions): Parsed<ProfileEdits> {
  const steps: ((d: ProfileDraft) => ProfileDraft)[] = [];
  const step = (f: (d: ProfileDraft) => ProfileDraft) => void steps.push(f);

  if (o.passwordStdin && o.proxyPasswordStdin)
    return bad('--password-stdin and --proxy-password-stdin both read standard input; give one per run');
  if (o.full && o.split) return bad('--full and --split contradict each other');

  if (o.name !== undefined) {
    const name = o.name;
    step((d) => ({ ...d, name }));
  }
  if (o.server !== undefined) {
    const hp = parseHostPort(o.server);
    if (!hp.ok) return hp;
    step((d) => ({ ...d, server: { host: hp.value.host, port: hp.value.port } }));
  }
  if (o.user !== undefined) {
    const username = o.user;
    step((d) => ({ ...d, username }));
  }
  if (o.auth !== undefined) {
    const a = parseAuthList(o.auth);
    if (!a.ok) return a;
    step((d) => ({ ...d, authMethods: a.value }));
  }
  if (o.tlsMin !== undefined) {
    if (o.tlsMin !== '1.2' && o.tlsMin !== '1.3') return bad(`--tls-min must be 1.2 or 1.3 (got ${o.tlsMin})`);
    const minVersion = o.tlsMin === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
    step((d) => ({ ...d, tls: { ...d.tls, minVersion } }));
  }
  if (o.sni !== undefined) {
    const sni = o.sni;
    step((d) => ({ ...d, tls: withOptional(d.tls, 'sni', sni === false ? undefined : sni) }));
  }
  if (o.pin !== undefined) {
    let pinnedSha256: string | undefined;
    if (o.pin !== false) {
      const pin = normaliseFingerprint(o.pin);
      if (!pin) return bad('--pin must be sha256: followed by 64 hex digits (colons allowed)');
      pinnedSha256 = pin.toLowerCase();
    }
    step((d) => ({ ...d, tls: withOptional(d.tls, 'pinnedSha256', pinnedSha256) }));
  }
  if (o.ca === false) step((d) => ({ ...d, tls: withOptional(d.tls, 'caFile', undefined) }));
  if (o.insecure !== undefined) {
    const insecure = o.insecure;
    step((d) => ({ ...d, tls: { ...d.tls, insecure } }));
  }
  const eap = eapTrustStep(o);
  if (!eap.ok) return eap;
  if (eap.value) step(eap.value);
  if (o.allowNoAuth !== undefined) {
    const allow = o.allowNoAuth;
    step((d) => withOptional(d, 'allowNoAuthentication', allow ? true : undefined));
  }
  if (o.proxy !== undefined) {
    if (o.proxy === false) {
      if (o.proxyPasswordStdin) return bad('--no-proxy and --proxy-password-stdin contradict each other');
      step((d) => withOptional(d, 'proxy', undefined));
    } else {
      // parseProxyUrl already refuses a password in the URL (PROXY_PASSWORD_IN_URL).
      const p = parseProxyUrl(o.proxy);
      if (!p.ok) return p;
      const proxy = {
        host: p.value.host,
        port: p.value.port,
        ...(p.value.username ? { username: p.value.username } : {}),
      };
      step((d) => ({ ...d, proxy }));
    }
  }
  if (o.systemProxy !== undefined) {
    const on = o.systemProxy;
    step((d) => withOptional(d, 'systemProxy', on ? true : undefined));
  }
  if (o.split !== undefined) {
    const routes = o.split
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    if (routes.length === 0) return bad('--split needs at least one network, e.g. --split 10.0.0.0/8');
    step((d) => ({ ...d, routing: { mode: 'split', routes } }));
  }
  if (o.full) step((d) => ({ ...d, routing: { mode: 'full' } }));
  if (o.dns !== undefined) {
    const dns = o.dns;
    step((d) => ({ ...d, dns }));
  }
  const dnsConflict = dnsSearchConflict(o);
  if (dnsConflict) return bad(dnsConflict);
  if (o.dnsSearch !== undefined) {
    const domains = parseDnsSearch(o.dnsSearch);
    if (!domains.ok) return domains;
    step((d) => withOptional(d, 'dnsSearchDomains', domains.value));
  }
  if (o.ipv6 !== undefined) {
    const ipv6 = o.ipv6;
    step((d) => ({ ...d, ipv6 }));
  }
  if (o.otp !== undefined) {
    const want = o.otp;
    const mode = want === false ? undefined : OTP_MODES.find((m) => m === want);
    if (want !== false && mode === undefined)
      return bad(`--otp must be append (password+code) or replace (the code alone), got "${want}"`);
    step((d) => withOptional(d, 'otp', mode ? { mode } : undefined));
  }
  if (o.authWait !== undefined) {
    const wait = parseAuthWait(o.authWait);
    if (!wait.ok) return wait;
    step((d) => ({ ...d, authWaitSeconds: wait.value / 1000 }));
  }
  if (o.mtu !== undefined) {
    const mtu = parseIntegerOption(o.mtu, { flag: '--mtu', range: PROFILE_MTU_RANGE, unit: 'bytes' });
    if (!mtu.ok) return mtu;
    step((d) => ({ ...d, mtu: mtu.value }));
  }

  const stdinSecret = o.passwordStdin ? 'password' : o.proxyPasswordStdin ? 'proxy-password' : undefined;
  return {
    ok: true,
    value: {
      apply: (current) => steps.reduce((d, f) => f(d), current),
      ...(typeof o.ca === 'string' ? { caFile: o.ca } : {}),
      ...(stdinSecret ? { stdinSecret } : {}),
      dropProxyPassword: o.proxy === false,
    },
  };
}

type Step = (d: ProfileDraft) => ProfileDraft;

/** --eap-pin / --eap-ca / --eap-server-name (and --no-): one change to the draft's eapTrust, dropped when emptied. */
function eapTrustStep(o: ProfileFlagOptions): Parsed<Step | undefined> {
  if (o.eapPin === undefined && o.eapCa === undefined && o.eapServerName === undefined)
    return { ok: true, value: undefined };
  let pin: string | undefined;
  if (typeof o.eapPin === 'string') {
    const p = normaliseFingerprint(o.eapPin);
    if (!p) return bad('--eap-pin must be sha256: followed by 64 hex digits (colons allowed)');
    pin = p.toLowerCase();
  }
  // Kept as an absolute path: the file is read at each connect, from wherever the command then runs.
  const ca = typeof o.eapCa === 'string' ? resolve(o.eapCa) : undefined;
  const name = typeof o.eapServerName === 'string' ? o.eapServerName : undefined;
  return {
    ok: true,
    value: (d) => {
      let t: Record<string, unknown> = { ...(d.eapTrust ?? {}) };
      if (o.eapPin !== undefined) t = withOptional(t, 'pinnedSha256', pin);
      if (o.eapCa !== undefined) t = withOptional(t, 'caFile', ca);
      if (o.eapServerName !== undefined) t = withOptional(t, 'serverName', name);
      return withOptional(d, 'eapTrust', Object.keys(t).length === 0 ? undefined : t);
    },
  };
}

/** The draft `profiles add` starts from, before the flags apply. */
export function emptyDraft(name: string): ProfileDraft {
  return { name, server: { host: '' }, username: '' };
}

// The schema is strict about unknown keys but an explicit `undefined` would still be written out as a
// key by some paths; removing the key keeps stored profiles tidy.
function withOptional<T extends object, K extends string>(obj: T | undefined, key: K, value: unknown): T {
  const copy: Record<string, unknown> = { ...(obj ?? {}) };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as T;
}

function bad(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
