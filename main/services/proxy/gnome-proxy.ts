// The app's system proxy on GNOME: org.gnome.system.proxy as `gsettings` reads it (dconf on a desktop).
// mode none → direct; auto (a PAC file) → said to be unsupported; manual → the HTTPS proxy, or the
// HTTP one when use-same-proxy is on, unless ignore-hosts lists the server. The HTTP proxy's
// authentication (user and password, which GNOME keeps in its settings) is sent only to that proxy.
import { execFile } from 'node:child_process';
import { bypassMatch } from './bypass.js';
import { parseGValue, parseListRecursively, type GValue } from './gsettings-text.js';
import { describeProxy, type SystemProxy } from './system-proxy.js';
import type { ProxyConfig } from '../../engine/config.js';

const SCHEMA = 'org.gnome.system.proxy';

/** Runs `gsettings list-recursively org.gnome.system.proxy`; the output or an error text. */
export type GsettingsReader = () => Promise<{ ok: true; output: string } | { ok: false; error: string }>;

export function gsettingsReader(env: NodeJS.ProcessEnv = process.env): GsettingsReader {
  return () =>
    new Promise((resolve) => {
      execFile('gsettings', ['list-recursively', SCHEMA], { env, timeout: 5_000 }, (err, stdout, stderr) => {
        if (err) resolve({ ok: false, error: (stderr.trim() || err.message).slice(0, 300) });
        else resolve({ ok: true, output: stdout });
      });
    });
}

export async function proxyFromGnome(read: GsettingsReader, host: string, port: number): Promise<SystemProxy> {
  const source = 'gnome';
  const r = await read();
  if (!r.ok)
    return {
      kind: 'unusable',
      source,
      message: `The GNOME proxy settings could not be read (${r.error}). Set the proxy in the profile instead, or turn off "system proxy".`,
    };
  const all = parseListRecursively(r.output);
  const get = (schema: string, key: string): GValue | undefined => {
    const text = all.get(schema)?.get(key);
    return text === undefined ? undefined : parseGValue(text);
  };
  const str = (schema: string, key: string) => {
    const v = get(schema, key);
    return typeof v === 'string' ? v : '';
  };
  const num = (schema: string, key: string) => {
    const v = get(schema, key);
    return typeof v === 'number' ? v : 0;
  };
  const mode = get(SCHEMA, 'mode');
  if (mode === undefined)
    return { kind: 'unusable', source, message: 'The GNOME proxy settings have no mode (is the schema installed?).' };
  if (mode === 'none') return { kind: 'direct', source, reason: 'GNOME proxy mode is none' };
  if (mode === 'auto')
    return {
      kind: 'unusable',
      source,
      message: `GNOME is set to configure the proxy automatically (${str(SCHEMA, 'autoconfig-url') || 'WPAD'}); Causeway cannot run proxy auto-config files. Set the proxy in the profile instead.`,
    };
  if (mode !== 'manual') return { kind: 'unusable', source, message: `GNOME proxy mode ${String(mode)} is not known.` };
  const ignore = get(SCHEMA, 'ignore-hosts');
  const bypass = Array.isArray(ignore) ? bypassMatch(ignore, host, port) : undefined;
  if (bypass !== undefined) return { kind: 'direct', source, reason: `GNOME ignore-hosts lists ${bypass}` };

  const http = { host: str(`${SCHEMA}.http`, 'host'), port: num(`${SCHEMA}.http`, 'port') };
  const https = { host: str(`${SCHEMA}.https`, 'host'), port: num(`${SCHEMA}.https`, 'port') };
  const usable = (p: { host: string; port: number }) => p.host !== '' && p.port > 0 && p.port < 65536;
  const sameProxy = get(SCHEMA, 'use-same-proxy') === true;
  const chosen = usable(https) ? https : sameProxy && usable(http) ? http : undefined;
  if (!chosen) {
    const socks = str(`${SCHEMA}.socks`, 'host');
    return socks !== ''
      ? {
          kind: 'unusable',
          source,
          message: `GNOME names only a SOCKS proxy (${socks}); Causeway can use only an HTTP proxy. Set an HTTPS proxy in GNOME or in the profile.`,
        }
      : { kind: 'direct', source, reason: 'GNOME names no HTTPS proxy' };
  }
  let proxy: ProxyConfig = { host: chosen.host, port: chosen.port };
  const isHttpProxy = chosen.host === http.host && chosen.port === http.port;
  if (isHttpProxy && get(`${SCHEMA}.http`, 'use-authentication') === true) {
    const user = str(`${SCHEMA}.http`, 'authentication-user');
    if (user !== '') proxy = { ...proxy, username: user, password: str(`${SCHEMA}.http`, 'authentication-password') };
  }
  return { kind: 'proxy', proxy, source, description: `${describeProxy(proxy)} (GNOME settings)` };
}
