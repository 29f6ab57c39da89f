// What `causeway test|connect <target>` connects to: a stored profile (by name or id) with its secrets
// from the keychain, or a host[:port] given on the command line. Flags given on the command line win
// over the profile's fields, so a stored profile can be tried with, say, another --auth once.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ProxyConfig, SessionConfig, TlsMinVersion, TrustPolicy } from '../../engine/config.js';
import { normaliseFingerprint } from '../../engine/transport/certificate.js';
import type { Profile } from '../../contract/profile.js';
import { trustPolicyFor } from '../../services/trust/anchors.js';
import { loadClientCertificate } from '../../services/trust/pkcs12.js';
import { eapTrustFor, needsPassword } from '../../services/connections/eap-trust.js';
import { parseEapTrustFlags, withEapTrustFlags } from '../eap-trust-options.js';
import { EXIT } from '../exit-codes.js';
import {
  buildSessionConfig,
  parseAuthList,
  parseAuthWait,
  parseMru,
  parseHostPort,
  parseProxyUrl,
  weakAuthWarnings,
  type ConnectOptions,
  type Parsed,
} from '../options.js';
import { stdinLines } from '../stdin-lines.js';
import { findProfile, openProfileServices, type ProfileServices } from './services.js';
import { isTerminal, promptFailureMessage, promptSecret } from '../prompt-secret.js';
import { readSecretInput, stderrWrite } from '../read-secret.js';
import { proxyFromEnvironment } from '../../services/proxy/env-proxy.js';

export interface TargetOptions extends ConnectOptions {
  passwordStdin?: boolean;
  /** With --otp-stdin the password is the first line of standard input, the codes the next ones. */
  otpStdin?: boolean;
  /** --auth-wait SECONDS. */
  authWait?: string;
  /** The proxy password on standard input (see withProxyPasswordFromStdin). */
  proxyPasswordStdin?: boolean;
  /** false from --no-env-proxy: ignore https_proxy / no_proxy. */
  envProxy?: boolean;
}

export interface TargetContext {
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  /** Injected by tests; otherwise opened from `env`. */
  readonly services?: ProfileServices;
  /** Where a password prompt and its warnings go (stderr by default). */
  readonly terminal?: (text: string) => void;
}

export type ConnectTarget =
  | {
      readonly kind: 'profile';
      /** The stored profile as saved (routes, DNS and reconnect settings are the caller's to apply). */
      readonly profile: Profile;
      readonly config: SessionConfig;
      /** This run's secrets, for ConnectionLogs.start so they are scrubbed from the log by value. */
      readonly secrets: readonly string[];
      readonly services: ProfileServices;
    }
  | {
      readonly kind: 'address';
      readonly config: SessionConfig;
      readonly secrets: readonly string[];
      /** Set when the profiles could not be read; the argument was then taken as a host. */
      readonly warning?: string;
    };

export type TargetError =
  | { readonly kind: 'usage'; readonly message: string }
  | { readonly kind: 'password-missing'; readonly message: string }
  /** Ctrl-C at the password prompt. */
  | { readonly kind: 'cancelled'; readonly message: string }
  | { readonly kind: 'keychain-unavailable'; readonly message: string }
  | { readonly kind: 'configuration'; readonly message: string }
  | { readonly kind: 'profiles-unreadable'; readonly message: string };

export type TargetResult = { ok: true; target: ConnectTarget } | { ok: false; error: TargetError };

export function exitCodeForTargetError(e: TargetError): number {
  switch (e.kind) {
    case 'usage':
    case 'password-missing':
      return EXIT.usage;
    case 'cancelled':
    case 'keychain-unavailable':
    case 'configuration':
    case 'profiles-unreadable':
      return EXIT.failure;
  }
}

const DEFAULT_MRU = 1500;

export async function resolveConnectTarget(arg: string, o: TargetOptions, ctx: TargetContext): Promise<TargetResult> {
  const resolved = await resolveTarget(arg, o, ctx);
  if (!resolved.ok) return resolved;
  const stdinProxy = await withProxyPasswordFromStdin(resolved.target, o, ctx);
  if (!stdinProxy.ok) return stdinProxy;
  const r = withEnvironmentProxy(stdinProxy.target, o, ctx.env);
  if (!r.ok) return r;
  // The authentication wait: the flag, else the profile's, else the engine's default (60 s).
  const profileWait = r.target.kind === 'profile' ? r.target.profile.authWaitSeconds : undefined;
  const wait =
    o.authWait !== undefined
      ? parseAuthWait(o.authWait)
      : profileWait !== undefined
        ? { ok: true as const, value: profileWait * 1000 }
        : undefined;
  if (wait && !wait.ok) return fail('usage', wait.error);
  return wait ? { ok: true, target: { ...r.target, config: { ...r.target.config, authWaitMs: wait.value } } } : r;
}

/**
 * https_proxy / no_proxy (as curl reads them) for a host given on the command line, and for a profile
 * that says "system proxy"; never over --proxy or the profile's own proxy.
 */
function withEnvironmentProxy(t: ConnectTarget, o: TargetOptions, env: NodeJS.ProcessEnv): TargetResult {
  const wanted = t.kind === 'address' || t.profile.systemProxy === true;
  if (t.config.proxy !== undefined || o.envProxy === false || !wanted) return { ok: true, target: t };
  const sys = proxyFromEnvironment(env, t.config.host, t.config.port);
  if (sys.kind === 'unusable') return fail('configuration', sys.message);
  if (sys.kind === 'direct') return { ok: true, target: t };
  const secrets = sys.proxy.password ? [...t.secrets, sys.proxy.password] : t.secrets;
  return { ok: true, target: { ...t, config: { ...t.config, proxy: sys.proxy }, secrets } };
}

async function resolveTarget(arg: string, o: TargetOptions, ctx: TargetContext): Promise<TargetResult> {
  const services = ctx.services ?? openProfileServices(ctx.env);
  const found = await findProfile(services.store, arg);
  if (found.ok) return fromProfile(found.value, o, ctx, services);
  const hostLike = parseHostPort(arg).ok;
  if (found.error.kind !== 'not-found' && !hostLike) {
    return fail('profiles-unreadable', found.error.message);
  }
  const warning = found.error.kind !== 'not-found' ? found.error.message : undefined;
  if (!hostLike)
    return fail(
      'usage',
      `"${arg}" is neither a saved profile (see \`causeway profiles list\`) nor a host or host:port.`,
    );
  if (!o.user) {
    return fail(
      'usage',
      `No profile named "${arg}" (see \`causeway profiles list\`). To connect to ${arg} as a server, give --user and --password-stdin.`,
    );
  }
  const pw = await passwordFromStdin(o, ctx, `Password for ${o.user}@${arg}: `);
  if (!pw.ok) return pw;
  const asked = pw.value === undefined ? await askOnTerminal(ctx, `Password for ${o.user}@${arg}: `) : pw;
  if (!asked.ok) return asked;
  if (asked.value === undefined)
    return fail(
      'usage',
      'give the password on standard input with --password-stdin (it is never accepted on the command line)',
    );
  const password = asked.value;
  const cfg = buildSessionConfig(arg, o, password);
  if (!cfg.ok) return fail('usage', cfg.error);
  const secrets = [password, ...(cfg.value.proxy?.password ? [cfg.value.proxy.password] : [])];
  // Said before connecting, each on its own line: the user chose these flags and can drop them.
  const warnings = [
    ...(warning ? [warning] : []),
    ...weakAuthWarnings(cfg.value.authMethods, cfg.value.allowNoAuthentication === true),
  ];
  const joined = warnings.join('\ncauseway: warning: ');
  return { ok: true, target: { kind: 'address', config: cfg.value, secrets, ...(joined ? { warning: joined } : {}) } };
}

async function fromProfile(
  profile: Profile,
  o: TargetOptions,
  ctx: TargetContext,
  services: ProfileServices,
): Promise<TargetResult> {
  // Flag values first: a typo in a flag should not cost a keychain round trip (or an unlock prompt).
  const flags = parseOverrides(o);
  if (!flags.ok) return fail('usage', flags.error);
  const f = flags.value;
  const eapFlags = parseEapTrustFlags(o);
  if (!eapFlags.ok) return fail('usage', eapFlags.error);
  const username = o.user ?? profile.username;
  if (username === '') {
    return fail(
      'usage',
      `Profile "${profile.name}" has no user name. Give --user, or save one with \`causeway profiles edit "${profile.name}" --user NAME\`.`,
    );
  }

  const label = `Password for ${username} (profile "${profile.name}"): `;
  const given = await passwordFromStdin(o, ctx, label);
  if (!given.ok) return given;
  let password = given.value;
  // EAP-TLS alone signs in with the client certificate: no password to look up or ask for.
  if (password === undefined && !needsPassword(f.authMethods ?? profile.authMethods)) password = '';
  if (password === undefined) {
    const stored = await services.credentials.get(profile.id, 'password');
    if (!stored.ok) {
      const why = `${stored.error.message} (${stored.error.kind === 'keychain-unavailable' ? stored.error.detail : 'invalid request'})`;
      // Someone at a terminal can still type it for this run; a script gets the typed failure.
      if (!isTerminal(ctx.stdin)) return fail('keychain-unavailable', why);
      (ctx.terminal ?? stderrWrite)(`causeway: ${why}\n`);
    } else password = stored.value;
  }
  if (password === undefined) {
    const asked = await askOnTerminal(ctx, label);
    if (!asked.ok) return asked;
    password = asked.value;
  }
  if (password === undefined) {
    return fail(
      'password-missing',
      `No password is saved for profile "${profile.name}". Save one with \`causeway profiles edit "${profile.name}" --password-stdin\`, or pass it for this run with --password-stdin.`,
    );
  }

  const profileTrust = await trustPolicyFor(profile);
  if (!profileTrust.ok)
    return fail(
      'configuration',
      `${profileTrust.error.message} (profile "${profile.name}"; fix it with \`causeway profiles edit "${profile.name}" --ca FILE\` or --no-ca)`,
    );
  const eapTrust = await eapTrustFor(profile.eapTrust, profileTrust.policy);
  if (!eapTrust.ok)
    return fail(
      'configuration',
      `${eapTrust.message} (profile "${profile.name}"; fix it with \`causeway profiles edit "${profile.name}" --eap-ca FILE\` or --no-eap-ca)`,
    );
  const client = await loadClientCertificate(profile, services.credentials);
  if (!client.ok)
    return fail(
      client.error.kind === 'keychain-unavailable' ? 'keychain-unavailable' : 'configuration',
      client.error.message,
    );

  const secrets = password === '' ? [] : [password];
  let proxy: ProxyConfig | undefined = f.proxy;
  if (proxy === undefined && profile.proxy) {
    proxy = { host: profile.proxy.host, port: profile.proxy.port };
    if (profile.proxy.username !== undefined) {
      const pp = await services.credentials.get(profile.id, 'proxy-password');
      if (!pp.ok) return fail('keychain-unavailable', pp.error.message);
      proxy = { ...proxy, username: profile.proxy.username, ...(pp.value !== undefined ? { password: pp.value } : {}) };
    }
  }
  if (proxy?.password) secrets.push(proxy.password);
  if (client.value) secrets.push(client.value.passphrase);

  const trust: TrustPolicy = {
    ...profileTrust.policy,
    ...(f.caPem !== undefined ? { caPem: f.caPem } : {}),
    ...(f.pinSha256 !== undefined ? { pinSha256: f.pinSha256 } : {}),
    ...(o.insecure === true ? { insecure: true } : {}),
  };
  const runEapTrust = withEapTrustFlags(eapTrust.trust, eapFlags.value, trust);
  const sni = o.sni ?? profile.tls.sni;
  const config: SessionConfig = {
    host: profile.server.host,
    port: profile.server.port,
    ...(sni !== undefined ? { sni } : {}),
    tlsMin: f.tlsMin ?? profile.tls.minVersion,
    trust,
    ...(client.value ? { clientCertificate: { pfx: client.value.pfx, passphrase: client.value.passphrase } } : {}),
    ...(runEapTrust !== undefined ? { eapTrust: runEapTrust } : {}),
    ...(proxy ? { proxy } : {}),
    credentials: { username, password },
    authMethods: f.authMethods ?? profile.authMethods,
    ...(o.allowNoAuth === true || profile.allowNoAuthentication === true ? { allowNoAuthentication: true } : {}),
    ipv6: o.ipv6 === true || profile.ipv6,
    // The profile's MTU is what we ask the server to send us: our MRU.
    mru: f.mru ?? profile.mtu ?? DEFAULT_MRU,
  };
  return { ok: true, target: { kind: 'profile', profile, config, secrets, services } };
}

interface Overrides {
  tlsMin?: TlsMinVersion;
  authMethods?: SessionConfig['authMethods'];
  pinSha256?: string;
  caPem?: string;
  proxy?: ProxyConfig;
  mru?: number;
}

/** Only the flags actually given; `undefined` leaves the profile's value. */
export function parseOverrides(o: ConnectOptions): Parsed<Overrides> {
  const out: Overrides = {};
  if (o.tlsMin !== undefined) {
    if (o.tlsMin !== '1.2' && o.tlsMin !== '1.3')
      return { ok: false, error: `--tls-min must be 1.2 or 1.3 (got ${o.tlsMin})` };
    out.tlsMin = o.tlsMin === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
  }
  if (o.auth !== undefined) {
    const a = parseAuthList(o.auth);
    if (!a.ok) return a;
    out.authMethods = a.value;
  }
  if (o.pin !== undefined) {
    const pin = normaliseFingerprint(o.pin);
    if (!pin) return { ok: false, error: '--pin must be sha256: followed by 64 hex digits (colons allowed)' };
    out.pinSha256 = pin;
  }
  if (o.ca !== undefined) {
    try {
      out.caPem = readFileSync(o.ca, 'utf8');
    } catch (e) {
      return { ok: false, error: `cannot read the CA file ${o.ca}: ${(e as Error).message}` };
    }
    if (!out.caPem.includes('-----BEGIN CERTIFICATE-----'))
      return { ok: false, error: `${o.ca} holds no PEM certificate` };
  }
  if (o.proxy !== undefined) {
    const p = parseProxyUrl(o.proxy);
    if (!p.ok) return p;
    out.proxy = p.value;
  }
  if (o.mru !== undefined) {
    const mru = parseMru(o.mru);
    if (!mru.ok) return mru;
    out.mru = mru.value;
  }
  return { ok: true, value: out };
}

type MaybePassword = { ok: true; value: string | undefined } | { ok: false; error: TargetError };

/** --password-stdin: the pipe's content, or a prompt without echo when stdin is a terminal. */
async function passwordFromStdin(o: TargetOptions, ctx: TargetContext, prompt: string): Promise<MaybePassword> {
  if (!o.passwordStdin) return { ok: true, value: undefined };
  if ((o.otpStdin || o.proxyPasswordStdin) && !isTerminal(ctx.stdin)) {
    // The one-time codes or the proxy password follow on the same pipe: the password is its first line, not all of it.
    const line = await stdinLines(ctx.stdin)
      .next()
      .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (line instanceof Error) return fail('usage', line.message);
    return line === undefined
      ? fail('password-missing', 'standard input ended before the password line')
      : { ok: true, value: line };
  }
  const r = await readSecretInput(ctx.stdin, prompt, ctx.terminal);
  return r.ok ? r : fail(r.cancelled ? 'cancelled' : 'usage', r.message);
}

/** No password from anywhere else: ask, if there is a terminal to ask on (otherwise: still none). */
async function askOnTerminal(ctx: TargetContext, prompt: string): Promise<MaybePassword> {
  if (!isTerminal(ctx.stdin)) return { ok: true, value: undefined };
  const r = await promptSecret(ctx.stdin, ctx.terminal ?? stderrWrite, prompt);
  if (r.ok) return r.value === '' ? fail('password-missing', 'no password was typed') : r;
  return fail(r.reason === 'cancelled' ? 'cancelled' : 'password-missing', promptFailureMessage(r.reason));
}

/**
 * --proxy-password-stdin: the proxy password from the next line of standard input (after the
 * password's line when --password-stdin is given too), or from a prompt at a terminal. It replaces a
 * saved one for this run; it is never taken from the command line (PROXY_PASSWORD_IN_URL).
 */
async function withProxyPasswordFromStdin(
  target: ConnectTarget,
  o: TargetOptions,
  ctx: TargetContext,
): Promise<TargetResult> {
  if (!o.proxyPasswordStdin) return { ok: true, target };
  const proxy = target.config.proxy;
  if (!proxy)
    return fail(
      'usage',
      '--proxy-password-stdin needs a proxy: give --proxy http://USER@HOST:PORT (or use a profile with one)',
    );
  if (proxy.username === undefined)
    return fail('usage', '--proxy-password-stdin needs the proxy user name: give --proxy http://USER@HOST:PORT');
  let value: string | undefined;
  if (isTerminal(ctx.stdin)) {
    const asked = await promptSecret(
      ctx.stdin,
      ctx.terminal ?? stderrWrite,
      `Proxy password for ${proxy.username}@${proxy.host}: `,
    );
    if (!asked.ok)
      return fail(asked.reason === 'cancelled' ? 'cancelled' : 'password-missing', promptFailureMessage(asked.reason));
    value = asked.value;
  } else {
    const line = await stdinLines(ctx.stdin)
      .next()
      .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (line instanceof Error) return fail('usage', line.message);
    value = line;
  }
  if (value === undefined || value === '')
    return fail(
      'password-missing',
      'standard input ended before the proxy password line (with --password-stdin too, the password comes first, then the proxy password)',
    );
  const config = { ...target.config, proxy: { ...proxy, password: value } };
  return { ok: true, target: { ...target, config, secrets: [...target.secrets, value] } };
}

function fail(kind: TargetError['kind'], message: string): { ok: false; error: TargetError } {
  return { ok: false, error: { kind, message } };
}
