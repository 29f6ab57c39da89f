// sstpc (sstp-client) command lines, one per line, as people keep them in scripts and notes:
//   sstpc [--sstp-options] host[:port] [--] [pppd options]
//   pppd pty "sstpc --nolaunchpppd [--sstp-options] host" [pppd options]
// sstpc options read: --user, --password (→ keychain), --ca-cert, --cert-warn, --host (TLS name),
// --proxy http://[user[:pass]@]host:port; --ca-path/--ca-dir are reported; the rest (--log-*, --uuid,
// --ipparam, --nolaunchpppd, --priv-*, --save-server-route, --tls-ext, --debug) has no effect on a profile.
// pppd options read: usepeerdns, defaultroute / replacedefaultroute / nodefaultroute, refuse-{pap,chap,
// mschap,mschap-v2,eap}, require-*, mtu, user, name, password (→ keychain), persist, maxfail,
// +ipv6 / noipv6, lcp-echo-*; options whose meaning lives in other files (call, file) are reported.
// Absent options mean what they mean to pppd: no usepeerdns → DNS off, no persist → no reconnect.
// Like sstpc itself, an unknown --option makes the whole line unusable; unknown pppd options are ignored.
import type { AuthMethod } from '../../engine/config.js';
import type { ProfileDraft } from '../../contract/profile.js';
import { byPreference, PREFERENCE } from './auth-methods.js';
import { ProfileCollector } from './collector.js';
import { decodeText } from './decode.js';
import { displayFileName, quote, Warnings } from './diagnostics.js';
import { parseHostPort } from './host-port.js';
import { logicalLines, splitWords, type ShellWord } from './shell-words.js';
import type { ImportResult, ImportSecrets } from './types.js';

import { PPPD_SILENT, PPPD_WITH_ARG, REFUSE, REQUIRE, SSTPC_FLAGS, SSTPC_WITH_ARG } from './sstpc-options.js';

interface Parsed {
  host?: ShellWord;
  sstpc: Map<string, ShellWord | true>;
  pppd: { option: string; arg?: ShellWord }[];
}

type ParseOutcome = { ok: true; value: Parsed } | { ok: false; reason: string };

/** getopt_long's view: --options anywhere before "--" (GNU getopt permutes), the first other word is the
 * server, every other word goes to pppd. */
function parseSstpcArgs(words: readonly ShellWord[], into: Parsed): ParseOutcome {
  const forPppd: ShellWord[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w) break;
    if (w.text === '--') {
      forPppd.push(...words.slice(i + 1));
      break;
    }
    if (w.text.startsWith('--')) {
      const eq = w.text.indexOf('=');
      const name = w.text.slice(2, eq < 0 ? undefined : eq);
      if (SSTPC_FLAGS.has(name)) into.sstpc.set(name, true);
      else if (SSTPC_WITH_ARG.has(name)) {
        const arg = eq >= 0 ? { text: w.text.slice(eq + 1), expands: w.expands } : words[++i];
        if (!arg) return { ok: false, reason: `--${name} needs a value` };
        into.sstpc.set(name, arg);
      } else
        return {
          ok: false,
          reason: `sstpc does not know the option ${quote(`--${name}`)} (it would refuse this line)`,
        };
    } else if (into.host === undefined) into.host = w;
    else forPppd.push(w);
  }
  into.pppd.push(...pppdOptions(forPppd));
  return { ok: true, value: into };
}

function pppdOptions(words: readonly ShellWord[]): { option: string; arg?: ShellWord }[] {
  const out: { option: string; arg?: ShellWord }[] = [];
  for (let i = 0; i < words.length; i++) {
    const option = words[i]?.text ?? '';
    if (PPPD_WITH_ARG.has(option)) {
      const arg = words[++i];
      out.push(arg ? { option, arg } : { option });
    } else out.push({ option });
  }
  return out;
}

/** Finds the sstpc invocation in a line: after sudo/env/exec and VAR=value, or inside pppd's pty "…". */
function locate(words: readonly ShellWord[], line: number): ParseOutcome | 'not-sstpc' {
  let i = 0;
  while (i < words.length) {
    const t = words[i]?.text ?? '';
    if (
      t === 'sudo' ||
      t === 'exec' ||
      t === 'env' ||
      t === 'nohup' ||
      /^[A-Za-z_][A-Za-z0-9_]*=/.test(t) ||
      (i > 0 && t.startsWith('-') && words[i - 1]?.text === 'sudo')
    )
      i++;
    else break;
  }
  const program = (words[i]?.text ?? '').split('/').pop();
  const parsed: Parsed = { sstpc: new Map(), pppd: [] };
  if (program === 'sstpc') return parseSstpcArgs(words.slice(i + 1), parsed);
  if (program === 'pppd') {
    const rest = words.slice(i + 1);
    const pty = rest.findIndex((w) => w.text === 'pty');
    const inner = pty >= 0 ? rest[pty + 1] : undefined;
    if (!inner) return 'not-sstpc';
    const split = splitWords(line, inner.text);
    if (!split.ok) return { ok: false, reason: `pty command: ${split.reason}` };
    const innerWords = split.command.words;
    if ((innerWords[0]?.text ?? '').split('/').pop() !== 'sstpc') return 'not-sstpc';
    const r = parseSstpcArgs(innerWords.slice(1), parsed);
    if (r.ok) r.value.pppd.push(...pppdOptions([...rest.slice(0, pty), ...rest.slice(pty + 2)]));
    return r;
  }
  return 'not-sstpc';
}

/** http://[user[:pass]@]host:port, taken apart by hand (no backtracking regex on untrusted text). */
function parseProxy(text: string): { host: string; port: number; username?: string; password?: string } | undefined {
  if (text.length > 1024) return undefined;
  const rest = text.replace(/^https?:\/\//i, '').replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : '';
  const hostPart = at >= 0 ? rest.slice(at + 1) : rest;
  const hp = parseHostPort(hostPart);
  if (!hp.ok || hostPart.includes('/')) return undefined;
  const colon = userinfo.indexOf(':');
  const dec = (s: string): string | undefined => {
    if (s === '') return undefined;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const username = dec(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
  const password = colon >= 0 ? dec(userinfo.slice(colon + 1)) : undefined;
  return { host: hp.host, port: hp.port ?? 8080, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function mapLine(p: Parsed, line: number, warnings: Warnings, collector: ProfileCollector): void {
  const get = (name: string): ShellWord | undefined => {
    const v = p.sstpc.get(name);
    return v === true ? undefined : v;
  };
  const usable = (w: ShellWord | undefined, what: string, secret = false): string | undefined => {
    if (!w) return undefined;
    if (w.expands) {
      // A secret's text is never echoed, even when it looks like a variable name.
      warnings.add(line, `${what} comes from the shell${secret ? '' : ` (${quote(w.text)})`}; not imported`);
      return undefined;
    }
    return w.text;
  };
  if (!p.host) {
    warnings.add(line, 'sstpc line without a server; skipped');
    return;
  }
  const hostText = usable(p.host, 'the server');
  if (hostText === undefined) return;
  const server = parseHostPort(hostText);
  if (!server.ok) {
    warnings.add(line, `server ${quote(hostText)} ${server.reason}; line skipped`);
    return;
  }
  const pppdArg = (option: string): ShellWord | undefined => {
    let found: ShellWord | undefined;
    for (const o of p.pppd) if (o.option === option && o.arg) found = o.arg;
    return found;
  };
  const has = (option: string): boolean => p.pppd.some((o) => o.option === option);

  const secrets: ImportSecrets = {};
  const username = usable(get('user') ?? pppdArg('user') ?? pppdArg('name'), 'the user name') ?? '';
  const password = usable(get('password') ?? pppdArg('password'), 'the password', true);
  if (password !== undefined) secrets.password = password;

  const draft: Omit<ProfileDraft, 'name'> = {
    server: server.port === undefined ? { host: server.host } : { host: server.host, port: server.port },
    username,
  };

  const required = p.pppd.filter((o) => o.option in REQUIRE);
  const refused = p.pppd.filter((o) => o.option in REFUSE);
  if (required.length > 0) {
    warnings.add(
      line,
      `pppd ${required.map((o) => o.option).join(', ')} asks the server to authenticate itself; read as "allow only these methods"`,
    );
    draft.authMethods = byPreference(required.flatMap((o) => REQUIRE[o.option] ?? []));
  } else if (refused.length > 0) {
    const allowed = new Set<AuthMethod>(PREFERENCE);
    for (const o of refused) {
      const m = REFUSE[o.option];
      if (m) allowed.delete(m);
    }
    draft.authMethods = byPreference(allowed);
  }
  if (draft.authMethods && draft.authMethods.length === 0) {
    warnings.add(line, `${quote(server.host)}: no authentication method Causeway supports is left; line skipped`);
    return;
  }

  const tls: NonNullable<ProfileDraft['tls']> = { insecure: false };
  const ca = usable(get('ca-cert'), 'the CA file');
  if (ca) tls.caFile = ca;
  if (p.sstpc.has('ca-path') || p.sstpc.has('ca-dir'))
    warnings.add(line, 'a CA directory (--ca-path/--ca-dir) cannot be used; choose the CA file in the profile');
  if (p.sstpc.has('cert-warn'))
    warnings.add(
      line,
      `${quote(server.host)}: --cert-warn is not carried over; certificate checks stay on and the first connection will ask you to trust the server's certificate`,
    );
  const tlsName = usable(get('host'), 'the TLS host name');
  if (tlsName && tlsName.length <= 253) tls.sni = tlsName;
  else if (tlsName) warnings.add(line, '--host is too long to be a host name; not kept');
  draft.tls = tls;

  const proxyText = usable(get('proxy'), 'the proxy URL', true);
  if (proxyText) {
    const proxy = parseProxy(proxyText);
    if (!proxy) warnings.add(line, 'the --proxy URL is not http://[user[:password]@]host:port; proxy not imported');
    else {
      draft.proxy = proxy.username
        ? { host: proxy.host, port: proxy.port, username: proxy.username }
        : { host: proxy.host, port: proxy.port };
      if (proxy.password) secrets.proxyPassword = proxy.password;
    }
  }

  draft.dns = has('usepeerdns');
  if (has('defaultroute') || has('replacedefaultroute')) draft.routing = { mode: 'full' };
  else {
    warnings.add(
      line,
      `${quote(server.host)}: no defaultroute, so pppd would route only the tunnel peer; imported as full tunnel — add the networks to route to make it split`,
    );
    draft.routing = { mode: 'full' };
  }
  if (has('+ipv6')) draft.ipv6 = true;
  if (has('noipv6') || has('-ipv6')) draft.ipv6 = false;

  const mtuWord = pppdArg('mtu');
  if (mtuWord) {
    const mtu = /^\d{1,5}$/.test(mtuWord.text) ? Number(mtuWord.text) : NaN;
    if (mtu >= 576 && mtu <= 1500) draft.mtu = mtu;
    else warnings.add(line, `mtu ${quote(mtuWord.text)} is outside 576–1500; not kept`);
  }
  if (has('persist')) {
    const maxfail = pppdArg('maxfail');
    const n = maxfail && /^\d{1,6}$/.test(maxfail.text) ? Number(maxfail.text) : 0;
    draft.reconnect = n >= 1 ? { enabled: true, maxAttempts: Math.min(n, 1000) } : { enabled: true };
  } else draft.reconnect = { enabled: false };

  if (has('lcp-echo-interval') || has('lcp-echo-failure'))
    warnings.add(line, 'LCP echo settings are not kept; Causeway detects a dead server on its own');
  for (const o of p.pppd) {
    if (o.option === 'call' || o.option === 'file')
      warnings.add(line, `pppd ${o.option} ${quote(o.arg?.text ?? '')}: options in that file are not read`);
    else if (
      !PPPD_WITH_ARG.has(o.option) &&
      !PPPD_SILENT.has(o.option) &&
      !(o.option in REFUSE) &&
      !(o.option in REQUIRE)
    ) {
      warnings.add(line, `pppd option ${quote(o.option)} ignored`);
    }
  }
  const fallback = tls.sni ?? server.host;
  collector.add({ line, rawName: '', fallbackName: fallback, draft, secrets });
}

export function importSstpc(fileName: string, bytes: Uint8Array): ImportResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  return decoded.ok ? parseSstpc(file, decoded.value.lines) : decoded;
}

/** The same, from decoded lines; `file` is the display name used in messages. */
export function parseSstpc(file: string, lines: readonly string[]): ImportResult {
  const warnings = new Warnings(file);
  const collector = new ProfileCollector(warnings);
  const other: number[] = [];
  for (const logical of logicalLines(lines)) {
    const split = splitWords(logical.line, logical.text);
    if (!split.ok) {
      warnings.add(split.line, `${split.reason}; line skipped`);
      continue;
    }
    const found = locate(split.command.words, logical.line);
    if (found === 'not-sstpc') {
      other.push(logical.line);
      continue;
    }
    if (!found.ok) {
      warnings.add(logical.line, `${found.reason}; line skipped`);
      continue;
    }
    if (split.command.truncated)
      warnings.add(logical.line, 'shell operators (; | & < >) end the command; what follows is not read');
    if (collector.full) {
      collector.overflow(logical.line);
      break;
    }
    mapLine(found.value, logical.line, warnings, collector);
  }
  warnings.addLines(other, 'not an sstpc command; ignored');
  return collector.result('sstpc', 'sstpc command lines');
}
