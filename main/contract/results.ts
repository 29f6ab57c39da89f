// Expected failures are values: each request's result says what can go wrong, as a discriminated union.
import type {
  AppInfo,
  AttemptView,
  CaCertificateView,
  CertificateInfo,
  ConnectionSnapshot,
  FailureView,
  ImportDiagnosticView,
  ImportEntryView,
  LogEntry,
  OtpPrompt,
  PhaseTiming,
  Profile,
  ProfileIssue,
  ProfileView,
  TlsView,
  TrustPrompt,
} from './model.js';
import type { DoctorPhase, DoctorReport, Verdict } from './doctor.js';
import type { KillSwitchSetting } from './kill-switch.js';

export type Ok<T = object> = { readonly ok: true } & T;
export type Fail<E> = { readonly ok: false; readonly error: E };

export type KeychainError = { readonly kind: 'keychain-unavailable'; readonly message: string };
export type NotFound = { readonly kind: 'not-found'; readonly message: string };
export type StoreProblem = { readonly kind: 'store'; readonly message: string };

export type ProfileSaveError =
  | { readonly kind: 'invalid'; readonly issues: readonly ProfileIssue[]; readonly message: string }
  | { readonly kind: 'name-taken'; readonly message: string }
  | NotFound
  | StoreProblem
  | KeychainError;

export type ProfilesResult = Ok<{ profiles: readonly ProfileView[] }> | Fail<StoreProblem>;
export type ValidateResult = Ok | Fail<{ readonly kind: 'invalid'; readonly issues: readonly ProfileIssue[] }>;
/**
 * Saved. `warning`: something beside the profile did not take (a secret, the CA copy). `fieldWarnings`:
 * saved, but a field will not work as it is (e.g. the PKCS#12 file cannot be opened), shown next to it.
 */
export type ProfileSaveResult =
  Ok<{ profile: Profile; warning?: string; fieldWarnings?: readonly ProfileIssue[] }> | Fail<ProfileSaveError>;
export type ProfileRemoveResult = Ok<{ warning?: string }> | Fail<NotFound | StoreProblem>;
export type SetPasswordResult =
  Ok | Fail<KeychainError | NotFound | { readonly kind: 'invalid'; readonly message: string }>;

export type ImportPreviewResult =
  | Ok<{
      importId: string;
      format: string;
      fileName: string;
      entries: readonly ImportEntryView[];
      warnings: readonly ImportDiagnosticView[];
    }>
  | Fail<{
      readonly kind: 'import';
      readonly code: string;
      readonly line: number;
      readonly text: string;
      readonly warnings: readonly ImportDiagnosticView[];
    }>;

export type ImportCommitResult =
  | Ok<{
      saved: readonly { index: number; profile: Profile; warning?: string }[];
      failed: readonly { index: number; message: string }[];
    }>
  | Fail<{ readonly kind: 'expired'; readonly message: string }>;

/** Why an attempt could not even start (a failed attempt is reported through snapshots instead). */
export type StartError =
  | NotFound
  | StoreProblem
  | KeychainError
  | {
      readonly kind: 'password-required';
      readonly message: string;
      /**
       * Set when the keychain could not be asked (locked, absent): why, in words to show once. The
       * password is then asked at each connect and cannot be remembered.
       */
      readonly keychainUnavailable?: string;
    }
  | { readonly kind: 'username-required'; readonly message: string }
  | { readonly kind: 'configuration'; readonly message: string }
  /**
   * Another connected profile holds what this one needs (both full tunnels, one route in both, a kill
   * switch beside another tunnel): the message names both and says what to do.
   */
  | {
      readonly kind: 'side-by-side';
      readonly conflict: 'kill-switch' | 'two-full-tunnels' | 'same-route';
      readonly with: string;
      readonly message: string;
    };

export type ConnectResult = Ok | Fail<StartError>;

/** The doctor's verdict per phase, the same `causeway test` prints (services/doctor/diagnose.ts runs both). */
export type PhaseVerdicts = readonly { readonly phase: DoctorPhase; readonly verdict: Verdict }[];

export type TestConnectionResult =
  | Ok<{
      timings: readonly PhaseTiming[];
      tls: TlsView;
      ipv4: string;
      peer: string | null;
      dns: readonly string[];
      ping: { ok: true; rttMs: number } | { ok: false; reason: string } | null;
      attempt: number;
      verdicts?: PhaseVerdicts;
    }>
  | Fail<
      | StartError
      | {
          readonly kind: 'failed';
          readonly failure: FailureView;
          readonly timings: readonly PhaseTiming[];
          readonly certificate?: CertificateInfo;
          readonly attempt: number;
          readonly verdicts?: PhaseVerdicts;
        }
    >;

/** The doctor ran (whatever it found: a failed connection is a report too). The user name is redacted unless asked. */
export type DoctorRunResult = Ok<{ report: DoctorReport; attempt: number }> | Fail<StartError>;
export type DoctorSaveResult =
  Ok<{ path: string }> | Fail<{ readonly kind: 'cancelled' | 'no-report' | 'write'; readonly message: string }>;

export type PingResult =
  Ok<{ rttMs: number; from: string }> | Fail<{ readonly kind: 'not-connected' | 'no-reply'; readonly message: string }>;

export type InspectCaResult =
  | Ok<{ certificates: readonly CaCertificateView[]; warnings: readonly string[] }>
  | Fail<{ readonly kind: 'not-a-certificate'; readonly message: string }>;

export type TrustAcceptResult =
  Ok | Fail<{ readonly kind: 'expired'; readonly message: string } | StoreProblem | StartError>;

export type AttemptsResult =
  | Ok<{ attempts: readonly AttemptView[]; live: number | null }>
  | Fail<{ readonly kind: 'logs'; readonly message: string }>;
export type ReadLogResult =
  Ok<{ entries: readonly LogEntry[]; skipped: number }> | Fail<{ readonly kind: 'logs'; readonly message: string }>;
export type ExportLogResult =
  Ok<{ path: string }> | Fail<{ readonly kind: 'cancelled' | 'logs'; readonly message: string }>;

export type SettingsResult =
  Ok<{ autostart: boolean | null }> | Fail<{ readonly kind: 'unsupported'; readonly message: string }>;
/** Prometheus metrics of the app's connections; `url` is where they are served now (null: off). */
export type MetricsSettingResult =
  | Ok<{ readonly enabled: boolean; readonly listen: string; readonly url: string | null }>
  | Fail<{ readonly kind: 'invalid' | 'unavailable'; readonly message: string }>;
/**
 * Verbose connection logs: every debug line kept in the attempt files (bigger files; never secrets).
 * `warning`: the saved file was unusable and the default (off) is in force until the next save.
 */
export type LoggingSettingResult =
  | Ok<{ readonly verbose: boolean; readonly warning: string | null }>
  | Fail<{ readonly kind: 'save' | 'unavailable'; readonly message: string }>;

/** Preferences → kill switch (contract/kill-switch.ts); warning: the saved file was unusable (so: off). */
export type KillSwitchSettingResult =
  | Ok<{ readonly setting: KillSwitchSetting; readonly warning: string | null }>
  | Fail<{ readonly kind: 'save' | 'unavailable'; readonly message: string }>;

export type { AppInfo, ConnectionSnapshot, OtpPrompt, TrustPrompt };
