// A profile plus its secrets → the engine's SessionConfig. Secrets are read here and live only in the
// returned config (memory), never in a value that leaves the main process.
import type { SessionConfig } from '../../engine/config.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { Profile } from '../../contract/profile.js';
import { trustPolicyFor } from '../trust/anchors.js';
import { loadClientCertificate } from '../trust/pkcs12.js';
import { eapTrustFor, needsPassword } from './eap-trust.js';
import type { StartError } from '../../contract/results.js';
import { gsettingsReader, proxyFromGnome } from '../proxy/gnome-proxy.js';
import type { SystemProxy } from '../proxy/system-proxy.js';

/** The system proxy for a server (GNOME's settings by default; tests inject their own reader's). */
export type SystemProxyLookup = (host: string, port: number) => Promise<SystemProxy>;

const gnomeProxy: SystemProxyLookup = (host, port) => proxyFromGnome(gsettingsReader(), host, port);

export type BuiltConfig =
  | {
      ok: true;
      config: SessionConfig;
      secrets: readonly string[];
      /** With profile.systemProxy: what the system said ("proxy p:3128 (GNOME settings)", "direct: ..."), for the log. */
      systemProxy?: string;
    }
  | { ok: false; error: StartError };

const DEFAULT_MRU = 1500;

function passwordRequired(profile: Profile, keychainUnavailable?: string): StartError {
  const ask = `Enter the password for ${profile.username} on ${profile.server.host}.`;
  return keychainUnavailable === undefined
    ? { kind: 'password-required', message: ask }
    : { kind: 'password-required', message: `${ask} It is used for this connection only.`, keychainUnavailable };
}

export async function buildSessionConfig(
  profile: Profile,
  credentials: CredentialStore,
  given: { password?: string },
  systemProxy: SystemProxyLookup = gnomeProxy,
): Promise<BuiltConfig> {
  if (profile.username === '') {
    return {
      ok: false,
      error: {
        kind: 'username-required',
        message: `Profile "${profile.name}" has no user name. Edit the profile and set one.`,
      },
    };
  }
  let password = given.password;
  // EAP-TLS alone signs in with the client certificate: no password to look up or ask for.
  if (password === undefined && !needsPassword(profile.authMethods)) password = '';
  if (password === undefined) {
    const stored = await credentials.get(profile.id, 'password');
    // Without a keychain the user can still connect: ask for the password for this connection only.
    if (!stored.ok) return { ok: false, error: passwordRequired(profile, stored.error.message) };
    password = stored.value;
  }
  if (password === undefined) return { ok: false, error: passwordRequired(profile) };
  const trust = await trustPolicyFor(profile);
  if (!trust.ok) return { ok: false, error: { kind: 'configuration', message: trust.error.message } };
  const eapTrust = await eapTrustFor(profile.eapTrust, trust.policy);
  if (!eapTrust.ok) return { ok: false, error: { kind: 'configuration', message: eapTrust.message } };
  const client = await loadClientCertificate(profile, credentials);
  if (!client.ok) return { ok: false, error: { kind: 'configuration', message: client.error.message } };

  const secrets = password === '' ? [] : [password];
  let proxy: SessionConfig['proxy'];
  if (profile.proxy) {
    const pp = profile.proxy.username !== undefined ? await credentials.get(profile.id, 'proxy-password') : undefined;
    if (pp && !pp.ok) return { ok: false, error: { kind: 'keychain-unavailable', message: pp.error.message } };
    const proxyPassword = pp?.ok ? pp.value : undefined;
    if (proxyPassword) secrets.push(proxyPassword);
    proxy = {
      host: profile.proxy.host,
      port: profile.proxy.port,
      ...(profile.proxy.username !== undefined ? { username: profile.proxy.username } : {}),
      ...(proxyPassword !== undefined ? { password: proxyPassword } : {}),
    };
  }
  let systemNote: string | undefined;
  if (!proxy && profile.systemProxy === true) {
    const sys = await systemProxy(profile.server.host, profile.server.port);
    if (sys.kind === 'unusable') return { ok: false, error: { kind: 'configuration', message: sys.message } };
    if (sys.kind === 'proxy') {
      proxy = sys.proxy;
      if (sys.proxy.password) secrets.push(sys.proxy.password);
      systemNote = `system proxy: ${sys.description}`;
    } else systemNote = `system proxy: direct (${sys.reason})`;
  }
  if (client.value) secrets.push(client.value.passphrase);
  const config: SessionConfig = {
    host: profile.server.host,
    port: profile.server.port,
    ...(profile.tls.sni !== undefined ? { sni: profile.tls.sni } : {}),
    tlsMin: profile.tls.minVersion,
    trust: trust.policy,
    ...(client.value ? { clientCertificate: { pfx: client.value.pfx, passphrase: client.value.passphrase } } : {}),
    ...(eapTrust.trust !== undefined ? { eapTrust: eapTrust.trust } : {}),
    ...(proxy ? { proxy } : {}),
    credentials: { username: profile.username, password },
    authMethods: profile.authMethods,
    ...(profile.allowNoAuthentication === true ? { allowNoAuthentication: true } : {}),
    ipv6: profile.ipv6,
    mru: profile.mtu ?? DEFAULT_MRU,
    ...(profile.authWaitSeconds !== undefined ? { authWaitMs: profile.authWaitSeconds * 1000 } : {}),
  };
  return { ok: true, config, secrets, ...(systemNote !== undefined ? { systemProxy: systemNote } : {}) };
}
