// Every request channel, declared once: its payload schema (validated in main on every call) and its
// result type. The renderer derives its typed API from these types; main binds one handler per channel
// and the compiler refuses a channel without one (see Handlers in handlers.ts).
import { z } from 'zod';
import type * as R from './results.js';
import { KillSwitchSettingSchema } from './kill-switch.js';

/** A phantom marker carrying a result type at compile time; it is never read at run time. */
export interface Returns<T> {
  readonly __result?: T;
}
const returns = <T>(): Returns<T> => ({});

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/, 'must be an id');
/** Secrets travel renderer → main only, and only in these fields. */
const secret = z.string().min(1).max(1024);
const none = z.undefined().or(z.null()).or(z.strictObject({}));
// Drafts are validated by the handler, which answers with per-field issues as a value.
const draft = z.unknown();
/** A CA file the renderer read (PEM text); main imports it into its own folder for the profile. */
const caFile = z.strictObject({ fileName: z.string().min(1).max(255), pem: z.string().min(1).max(1_000_000) });
/** The secrets a profile may keep besides its password; set or forgotten with the profile, never read back. */
const profileSecrets = {
  password: secret.optional(),
  proxyPassword: secret.optional(),
  pkcs12Passphrase: secret.optional(),
  /** A PEM client certificate's private key file as the renderer read it, and its passphrase if encrypted. */
  clientKey: z
    .strictObject({
      fileName: z.string().min(1).max(255),
      pem: z.string().min(1).max(100_000),
      passphrase: secret.optional(),
    })
    .optional(),
  forget: z
    .array(z.enum(['password', 'proxy-password', 'pkcs12-passphrase', 'client-key']))
    .max(4)
    .optional(),
  ca: caFile.optional(),
};

function channel<S extends z.ZodType, T>(payload: S, result: Returns<T>) {
  return { payload, result };
}

export const requests = {
  'app.info': channel(none, returns<R.AppInfo>()),
  'settings.get': channel(none, returns<R.SettingsResult>()),
  'settings.setAutostart': channel(z.strictObject({ enabled: z.boolean() }), returns<R.SettingsResult>()),
  'settings.metrics': channel(none, returns<R.MetricsSettingResult>()),
  'settings.setMetrics': channel(
    z.strictObject({ enabled: z.boolean(), listen: z.string().min(1).max(64) }),
    returns<R.MetricsSettingResult>(),
  ),
  'settings.logging': channel(none, returns<R.LoggingSettingResult>()),
  'settings.setLogging': channel(z.strictObject({ verbose: z.boolean() }), returns<R.LoggingSettingResult>()),
  'settings.killSwitch': channel(none, returns<R.KillSwitchSettingResult>()),
  'settings.setKillSwitch': channel(
    z.strictObject({ setting: KillSwitchSettingSchema }),
    returns<R.KillSwitchSettingResult>(),
  ),

  'profiles.list': channel(none, returns<R.ProfilesResult>()),
  'profiles.validate': channel(z.strictObject({ draft }), returns<R.ValidateResult>()),
  'profiles.create': channel(z.strictObject({ draft, ...profileSecrets }), returns<R.ProfileSaveResult>()),
  'profiles.update': channel(z.strictObject({ id, draft, ...profileSecrets }), returns<R.ProfileSaveResult>()),
  'profiles.remove': channel(z.strictObject({ id }), returns<R.ProfileRemoveResult>()),
  'profiles.setPassword': channel(z.strictObject({ id, password: secret }), returns<R.SetPasswordResult>()),

  'import.preview': channel(
    z.strictObject({ fileName: z.string().min(1).max(255), contentBase64: z.base64().max(1_500_000) }),
    returns<R.ImportPreviewResult>(),
  ),
  'import.commit': channel(
    z.strictObject({
      importId: id,
      // acceptRisks: the user confirmed the entry's weakening settings (ImportEntryView.risks).
      // pkcs12Passphrase / clientKey: for an entry that references a client certificate (to the keychain).
      entries: z
        .array(
          z.strictObject({
            index: z.number().int().min(0).max(499),
            password: secret.optional(),
            acceptRisks: z.boolean().optional(),
            pkcs12Passphrase: secret.optional(),
            clientKey: z
              .strictObject({
                fileName: z.string().min(1).max(255),
                pem: z.string().min(1).max(100_000),
                passphrase: secret.optional(),
              })
              .optional(),
          }),
        )
        .max(500),
    }),
    returns<R.ImportCommitResult>(),
  ),

  'connections.list': channel(none, returns<readonly R.ConnectionSnapshot[]>()),
  'connections.connect': channel(
    z.strictObject({ profileId: id, password: secret.optional(), remember: z.boolean().optional() }),
    returns<R.ConnectResult>(),
  ),
  'connections.disconnect': channel(z.strictObject({ profileId: id }), returns<R.Ok>()),
  'connections.test': channel(
    z.strictObject({ profileId: id, password: secret.optional() }),
    returns<R.TestConnectionResult>(),
  ),
  'connections.ping': channel(z.strictObject({ profileId: id }), returns<R.PingResult>()),
  'doctor.run': channel(
    z.strictObject({ profileId: id, password: secret.optional(), mtu: z.boolean().optional() }),
    returns<R.DoctorRunResult>(),
  ),
  'doctor.saveReport': channel(
    z.strictObject({ profileId: id, includeUser: z.boolean().optional() }),
    returns<R.DoctorSaveResult>(),
  ),

  'trust.inspectCa': channel(caFile, returns<R.InspectCaResult>()),
  'trust.pending': channel(none, returns<readonly R.TrustPrompt[]>()),
  'trust.accept': channel(z.strictObject({ promptId: id }), returns<R.TrustAcceptResult>()),
  'trust.dismiss': channel(z.strictObject({ promptId: id }), returns<R.Ok>()),

  'otp.pending': channel(none, returns<readonly R.OtpPrompt[]>()),
  'otp.answer': channel(z.strictObject({ promptId: id, code: secret }), returns<R.Ok>()),
  'otp.dismiss': channel(z.strictObject({ promptId: id }), returns<R.Ok>()),

  'logs.attempts': channel(z.strictObject({ profileId: id }), returns<R.AttemptsResult>()),
  'logs.read': channel(z.strictObject({ profileId: id, attempt: z.number().int().min(1) }), returns<R.ReadLogResult>()),
  'logs.export': channel(
    z.strictObject({ profileId: id, attempt: z.number().int().min(1) }),
    returns<R.ExportLogResult>(),
  ),
} as const;

export type Requests = typeof requests;
export type Channel = keyof Requests;
export type Payload<C extends Channel> = z.output<Requests[C]['payload']>;
/** What the renderer passes (before defaults/transforms). */
export type PayloadInput<C extends Channel> = z.input<Requests[C]['payload']>;
export type Result<C extends Channel> = Requests[C]['result'] extends Returns<infer T> ? T : never;

export const CHANNELS = Object.keys(requests) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}
