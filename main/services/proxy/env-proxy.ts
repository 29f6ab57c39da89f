// The CLI's system proxy: https_proxy / HTTPS_PROXY and no_proxy / NO_PROXY, as curl and wget read
// them (the lower-case name wins). SSTP is HTTPS, so http_proxy is not consulted. The environment is
// private to the user (unlike argv), so user:password in the URL is taken, and kept out of logs.
import type { ProxyConfig } from '../../engine/config.js';
import { bypassMatch } from './bypass.js';
import { describeProxy, type SystemProxy } from './system-proxy.js';

function pick(env: NodeJS.ProcessEnv, lower: string): { name: string; value: string } | undefined {
  for (const name of [lower, lower.toUpperCase()]) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return { name, value: v.trim() };
  }
  return undefined;
}

export function proxyFromEnvironment(env: NodeJS.ProcessEnv, host: string, port: number): SystemProxy {
  const source = 'environment';
  const set = pick(env, 'https_proxy');
  if (!set) return { kind: 'direct', source, reason: 'https_proxy is not set' };
  const noProxy = pick(env, 'no_proxy');
  const bypass = noProxy ? bypassMatch(noProxy.value.split(','), host, port) : undefined;
  if (bypass !== undefined) return { kind: 'direct', source, reason: `${noProxy?.name} lists ${bypass}` };
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(set.value) ? set.value : `http://${set.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { kind: 'unusable', source, message: `${set.name} is not a proxy URL (http://host:port expected).` };
  }
  if (url.protocol !== 'http:')
    return {
      kind: 'unusable',
      source,
      message: `${set.name} names a ${url.protocol.replace(/:$/, '')} proxy; Causeway can use only an HTTP proxy (http://host:port). Unset it, add the server to no_proxy, or pass --no-env-proxy.`,
    };
  const proxyHost = url.hostname.replace(/^\[|\]$/g, '');
  if (proxyHost === '') return { kind: 'unusable', source, message: `${set.name} has no host.` };
  // curl's default proxy port.
  const proxyPort = url.port === '' ? 1080 : Number(url.port);
  let proxy: ProxyConfig = { host: proxyHost, port: proxyPort };
  try {
    if (url.username !== '') proxy = { ...proxy, username: decodeURIComponent(url.username) };
    if (url.password !== '') proxy = { ...proxy, password: decodeURIComponent(url.password) };
  } catch {
    return { kind: 'unusable', source, message: `${set.name} has a badly percent-encoded user name or password.` };
  }
  return { kind: 'proxy', proxy, source, description: `${describeProxy(proxy)} (from ${set.name})` };
}
