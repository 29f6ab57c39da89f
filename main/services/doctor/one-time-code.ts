// A test or doctor run of a profile with one-time codes: a refused sign-in is most often a code that
// was already used or has expired (the server takes each once), so the failure says so and what to do.
import type { SessionConfig } from '../../engine/config.js';
import type { SessionFailure } from '../../engine/failure.js';
import type { Profile } from '../../contract/profile.js';
import { OtpFlow, withOneTimeCode, type OtpPrompts } from '../connections/one-time-prompts.js';

export const ONE_TIME_CODE_REFUSED =
  'This sign-in used a one-time code, and a server takes each code once: a code already used (in an earlier test or connect) or expired is refused like a wrong password. Run again with a fresh code; if it still fails, check the password.';

export function withOneTimeCodeHint(f: SessionFailure): SessionFailure {
  return f.code === 'auth-failed' ? { ...f, message: `${f.message} ${ONE_TIME_CODE_REFUSED}` } : f;
}

/** The app's Test or Doctor when the one-time code question was dismissed: nothing was sent. */
export const NO_CODE_FOR_TEST = {
  ok: false,
  error: {
    kind: 'configuration',
    message:
      'This profile needs a one-time code, and none was entered, so nothing was sent to the server. Run the test again and enter a fresh code.',
  },
} as const;

/**
 * The app's Test or Doctor of a profile with `otp`: one code, asked through the same otp.prompt
 * question Connect asks (OtpFlow) and joined the same way. The code and the password it makes join the
 * run's secrets before its log opens (prepare asks here), so neither is written. NO_CODE_FOR_TEST: the
 * question was dismissed.
 */
export async function withAskedCode<T extends { readonly config: SessionConfig; readonly secrets: readonly string[] }>(
  prompts: OtpPrompts,
  profile: Profile,
  run: T,
): Promise<T | typeof NO_CODE_FOR_TEST> {
  if (!profile.otp) return run;
  const code = await new OtpFlow(prompts, profile, profile.otp.mode).code(1);
  if (code === null) return NO_CODE_FOR_TEST;
  const config = withOneTimeCode(run.config, run.config.credentials.password, code, profile.otp.mode);
  return { ...run, config, secrets: [...run.secrets, code, config.credentials.password] };
}
