// Everything one attempt needs before it runs, shared by Connect, Test and Doctor: the profile from the
// store, its SessionConfig (keychain or the typed password, the system proxy, a one-time code when
// asked), the password remembered when the user said so, and the attempt's own log opened with the
// run's secrets so none of them is written.
import type { Clock } from '../../engine/clock.js';
import type { StartError } from '../../contract/results.js';
import { withAskedCode } from '../doctor/one-time-code.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { ConnectionLogs } from '../logs/connection-logs.js';
import type { ProfileStore } from '../profiles/store.js';
import type { OtpPrompts } from './one-time-prompts.js';
import { buildSessionConfig, type SystemProxyLookup } from './session-config.js';

export interface AttemptSetupDeps {
  readonly store: ProfileStore;
  readonly credentials: CredentialStore;
  readonly logs: ConnectionLogs;
  readonly clock: Clock;
  /** Where a one-time code is asked (only with `oneTimeCode`). */
  readonly otp: OtpPrompts;
  readonly systemProxy?: SystemProxyLookup;
}

export interface AttemptSetupOptions {
  readonly password?: string;
  readonly remember?: boolean;
  /** Ask the profile's one-time code here (Test, Doctor); Connect asks its own through OtpFlow. */
  readonly oneTimeCode?: boolean;
}

export async function setUpAttempt(deps: AttemptSetupDeps, profileId: string, opts: AttemptSetupOptions) {
  const found = await deps.store.get(profileId);
  if (!found.ok) {
    const error: StartError =
      found.error.kind === 'not-found'
        ? { kind: 'not-found', message: found.error.message }
        : { kind: 'store', message: found.error.message };
    return { ok: false as const, error };
  }
  const profile = found.value;
  const unCoded = await buildSessionConfig(
    profile,
    deps.credentials,
    opts.password !== undefined ? { password: opts.password } : {},
    ...(deps.systemProxy ? [deps.systemProxy] : []),
  );
  const built = unCoded.ok && opts.oneTimeCode ? await withAskedCode(deps.otp, profile, unCoded) : unCoded;
  if (!built.ok) return built;
  // A keychain that fails to save does not stop the connection the user asked for: the password
  // was typed, so it is used for this run and the attempt's log says it was not remembered.
  const saved =
    opts.remember && opts.password !== undefined
      ? await deps.credentials.set(profileId, 'password', opts.password)
      : undefined;
  const log = deps.logs.start(profileId, { secrets: built.secrets });
  if (!log.ok) return { ok: false as const, error: { kind: 'configuration' as const, message: log.error.message } };
  if (built.systemProxy !== undefined)
    log.value.sink({ time: deps.clock.now(), level: 'info', phase: 'tcp', message: built.systemProxy });
  if (saved && !saved.ok)
    log.value.sink({
      time: deps.clock.now(),
      level: 'warn',
      phase: 'auth',
      message: `The password was not remembered. ${saved.error.message}`,
    });
  return {
    ok: true as const,
    profile,
    config: built.config,
    secrets: built.secrets,
    log: log.value,
    remembered: saved?.ok === true,
  };
}
