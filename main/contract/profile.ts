// The stored shape of a connection profile, declared once: zod gives both the validator and the types.
// It lives in the contract because the renderer edits profiles and the contract speaks of them; it is
// pure (zod and the engine's list of auth methods), and minting an identity stays in
// services/profiles/schema.ts, which is main's alone.
// A profile never holds a secret: passwords, proxy passwords and PKCS#12 passphrases live in the keychain.
// Every object is strict so a typo or a field from a newer version is reported rather than silently dropped.
import { z } from 'zod';
import { isDomainName, MAX_ROUTES, networkOf, parseCidr } from '../engine/addresses.js';
import { AUTH_METHODS, AUTH_WAIT_RANGE_S, OTP_MODES, type AuthMethod } from '../engine/config.js';
import { KillSwitchSettingSchema } from './kill-switch.js';

export const PROFILE_VERSION = 1;

/** A profile's tunnel MTU (bytes): 576 is the IPv4 minimum every host must take, 1500 Ethernet's. */
export const PROFILE_MTU_RANGE = { min: 576, max: 1500 } as const;

// Control characters in names and paths would let an imported file forge lines in CLI output and logs.
export function hasNoControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
const noControl = hasNoControlCharacters;

const host = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .refine(
    (s) => z.ipv4().safeParse(s).success || z.ipv6().safeParse(s).success || z.hostname().safeParse(s).success,
    'must be a host name, an IPv4 address or an IPv6 address',
  );

/** Whether a server host (name or address) would pass profile validation: for importers' per-item checks. */
export function isServerHost(s: string): boolean {
  return host.safeParse(s).success;
}

/** A pool is a handful of servers; each costs a host route outside the tunnel (per address). */
export const MAX_ALTERNATE_SERVERS = 8;

const port = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const filePath = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .refine(noControl, 'must not contain control characters');

/** SHA-256 of a certificate's DER; accepted as hex in any case with optional ':' and stored as 64 lower-case hex. */
export const sha256Fingerprint = z
  .string()
  .transform((s) => s.replace(/:/g, '').toLowerCase())
  .refine((s) => /^[0-9a-f]{64}$/.test(s), 'must be a SHA-256 fingerprint (64 hex digits, ":" optional)');

const authMethod = z.enum(AUTH_METHODS as [AuthMethod, ...AuthMethod[]], {
  error: `must be one of ${AUTH_METHODS.join(', ')}`,
});

const CIDR_FORM = 'must be an IPv4 or IPv6 network in CIDR form (e.g. 10.1.0.0/16, fd00::/8)';
// The helper's own parser: what is saved here is exactly what the helper will accept.
const cidr = z
  .string({ error: CIDR_FORM })
  .max(49, CIDR_FORM)
  .superRefine((s, ctx) => {
    const r = parseCidr(s);
    if (r.ok) return;
    ctx.addIssue({
      code: 'custom',
      message:
        r.reason === 'host bits set below the prefix'
          ? `${CIDR_FORM}: ${s} has host bits set below the prefix (the network is ${networkOf(s) ?? '?'})`
          : CIDR_FORM,
    });
  });

const tls = z.strictObject({
  minVersion: z.enum(['TLSv1.2', 'TLSv1.3'], { error: 'must be TLSv1.2 or TLSv1.3' }).default('TLSv1.2'),
  sni: host.optional(),
  caFile: filePath.optional(),
  pinnedSha256: sha256Fingerprint.optional(),
  /** Labs only: accept any server certificate. */
  insecure: z.boolean().default(false),
  /**
   * PKCS#12 (its passphrase in the keychain), or a PEM certificate file whose private key was
   * imported into the keychain ('client-key'): the key is never in the profile or beside it.
   */
  clientCertificate: z
    .union([z.strictObject({ pkcs12File: filePath }), z.strictObject({ certificateFile: filePath })], {
      error: 'must be { "pkcs12File": path } or { "certificateFile": path }',
    })
    .optional(),
});

/**
 * The sign-in (EAP) server's own certificate, presented inside EAP-TLS / PEAP (an NPS behind RRAS,
 * a RADIUS server): a pin and/or a CA file, and the name it must carry. Absent: it is judged like
 * the VPN server's certificate (the outer tls settings), which fits SoftEther (one certificate for both).
 */
const eapTrust = z.strictObject({
  pinnedSha256: sha256Fingerprint.optional(),
  caFile: filePath.optional(),
  serverName: host.optional(),
});

const proxy = z.strictObject({
  host,
  port,
  username: z
    .string()
    .min(1, 'must not be empty')
    .max(256)
    .refine(noControl, 'must not contain control characters')
    .optional(),
});

const routing = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('full') }),
    z.strictObject({
      mode: z.literal('split'),
      routes: z
        .array(cidr)
        .min(1, 'split routing needs at least one network')
        .max(MAX_ROUTES, `at most ${MAX_ROUTES} networks`),
    }),
  ],
  { error: 'mode must be "full" or "split"' },
);

const profileFields = {
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .refine(noControl, 'must not contain control characters'),
  server: z.strictObject({ host, port: port.default(443) }),
  /**
   * More servers, tried in this order when the one before fails before SSTP starts (TCP, TLS or the
   * HTTP handshake): a phonebook's alternates (TryNextAlternateOnFail), a pool behind one account.
   * The account, TLS policy and proxy are the same for each. Absent in older files: one server.
   */
  alternateServers: z
    .array(z.strictObject({ host, port: port.default(443) }))
    .max(MAX_ALTERNATE_SERVERS, `at most ${MAX_ALTERNATE_SERVERS} alternate servers`)
    .optional(),
  /** Empty means "ask when connecting": Windows phonebooks, for one, do not carry the user name. */
  username: z
    .string()
    .max(256, 'must be at most 256 characters')
    .refine(noControl, 'must not contain control characters'),
  authMethods: z
    .array(authMethod)
    .min(1, 'must allow at least one method')
    .refine((a) => new Set(a).size === a.length, 'must not list a method twice')
    .default(['mschapv2', 'eap-mschapv2']),
  /**
   * Carry on when the server asks for no authentication at all. Absent or false: refused, since
   * nothing would then prove the server is the one meant. An explicit opt-in, shown as a warning.
   */
  allowNoAuthentication: z.boolean().optional(),
  /**
   * Ask for a one-time code at each connect and reconnect; the code is never stored. 'append': the
   * server wants password+code (RADIUS with RSA/Duo/privacyIDEA PIN+OTP); 'replace': the code alone is the password.
   */
  otp: z.strictObject({ mode: z.enum(OTP_MODES, { error: 'must be "append" or "replace"' }) }).optional(),
  /** How long authentication may wait for the server, e.g. while an MFA push waits for approval (default 60 s). */
  authWaitSeconds: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(AUTH_WAIT_RANGE_S.min, `must be between ${AUTH_WAIT_RANGE_S.min} and ${AUTH_WAIT_RANGE_S.max} seconds`)
    .max(AUTH_WAIT_RANGE_S.max, `must be between ${AUTH_WAIT_RANGE_S.min} and ${AUTH_WAIT_RANGE_S.max} seconds`)
    .optional(),
  tls: tls.default({ minVersion: 'TLSv1.2', insecure: false }),
  /** How the certificate inside EAP (EAP-TLS, PEAP) is judged; see eapTrust above. */
  eapTrust: eapTrust.optional(),
  proxy: proxy.optional(),
  /**
   * Use the system's proxy when `proxy` is not set: GNOME's proxy settings in the app, https_proxy /
   * no_proxy in the CLI. Absent or false: connect directly (or through `proxy`).
   */
  systemProxy: z.boolean().optional(),
  routing: routing.default({ mode: 'full' }),
  dns: z.boolean().default(true),
  /**
   * DNS search domains for the tunnel (e.g. corp.example). In split tunnel they are the only names
   * sent to the tunnel's DNS servers (with systemd-resolved); in full tunnel every name goes there.
   * At most 8: the helper's LIMITS.maxSearchDomains.
   */
  dnsSearchDomains: z
    .array(z.string().max(253).refine(isDomainName, 'not a domain name'))
    .max(8, 'at most 8 search domains')
    .optional(),
  ipv6: z.boolean().default(false),
  mtu: z
    .number()
    .int('must be a whole number')
    .min(PROFILE_MTU_RANGE.min, `must be between ${PROFILE_MTU_RANGE.min} and ${PROFILE_MTU_RANGE.max}`)
    .max(PROFILE_MTU_RANGE.max, `must be between ${PROFILE_MTU_RANGE.min} and ${PROFILE_MTU_RANGE.max}`)
    .optional(),
  /** Clamp the MSS of TCP SYNs through the tunnel to its MTU − 40 (the doctor says when a path needs it). */
  mssClamp: z.boolean().optional(),
  /** This profile's kill switch (contract/kill-switch.ts); absent: the app-wide setting decides. */
  killSwitch: KillSwitchSettingSchema.optional(),
  reconnect: z
    .strictObject({ enabled: z.boolean(), maxAttempts: z.number().int().min(1).max(1000).optional() })
    .default({ enabled: true }),
  autoConnect: z.boolean().default(false),
};

/**
 * Routes as an older version may have stored them (up to 1000, host bits allowed): a profile file must
 * keep loading — one profile it refuses would set the whole file aside. Host bits are cleared to the
 * network the user meant; new and edited profiles go through the strict draft schema above.
 */
const storedRouting = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('full') }),
    z.strictObject({
      mode: z.literal('split'),
      routes: z.preprocess(
        (v) => (Array.isArray(v) ? v.map((r) => (typeof r === 'string' ? (networkOf(r) ?? r) : r)) : v),
        z.array(cidr).min(1, 'split routing needs at least one network').max(1000),
      ),
    }),
  ],
  { error: 'mode must be "full" or "split"' },
);

export const ProfileV1Schema = z.strictObject({
  version: z.literal(PROFILE_VERSION, { error: `must be ${PROFILE_VERSION}` }),
  id: z.uuid({ error: 'must be a UUID' }),
  ...profileFields,
  routing: storedRouting.default({ mode: 'full' }),
});

/** What an importer or a form produces: a profile without identity. Defaults fill what a source did not say. */
export const ProfileDraftSchema = z.strictObject(profileFields);

export type ProfileV1 = z.output<typeof ProfileV1Schema>;
/** The current profile shape. */
export type Profile = ProfileV1;
export type ProfileDraft = z.input<typeof ProfileDraftSchema>;
export type ProfileTls = Profile['tls'];
export type ProfileProxy = NonNullable<Profile['proxy']>;
export type ProfileRouting = Profile['routing'];
export type ProfileEapTrust = NonNullable<Profile['eapTrust']>;

/** One validation problem, addressed by field path so a person can find it ("server.port", "routing.routes[2]"). */
export interface ProfileIssue {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: readonly ProfileIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(profile)' : out;
}

export function issuesOf(error: z.ZodError): ProfileIssue[] {
  return error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return {
        path: formatPath(i.path),
        message: `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    return { path: formatPath(i.path), message: i.message };
  });
}

/** "server.port: must be between 1 and 65535; name: must not be empty" */
export function describeIssues(issues: readonly ProfileIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

export function validateProfile(input: unknown): ValidationResult<Profile> {
  const r = ProfileV1Schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: issuesOf(r.error) };
}

export function validateDraft(input: unknown): ValidationResult<z.output<typeof ProfileDraftSchema>> {
  const r = ProfileDraftSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: issuesOf(r.error) };
}
