// The failures authentication reports, worded for the person who has to act on them.
import { failure } from '../../failure.js';
import type { SessionFailure } from '../../failure.js';
import type { MsChapV2FailureInfo } from './mschapv2-messages.js';

/**
 * Quiet time after which a silent server fails the phase, for authenticators that do not yet take
 * the context's waitMs (AuthRun.waitForServer); those that do default to DEFAULT_AUTH_WAIT_MS.
 */
export const AUTH_SILENCE_MS = 30_000;

/** The server did not answer in `waitMs`: name the limit and the setting that raises it. */
export function authTimeout(method: string, waitMs: number = AUTH_SILENCE_MS): SessionFailure {
  const s = Math.round(waitMs / 1000);
  return failure(
    'auth',
    'negotiation-timeout',
    `The server did not answer during ${method} authentication within the ${s}-second authentication wait. ` +
      'If you approve sign-ins on your phone, approve sooner or raise the limit (the profile\'s "Authentication wait", ' +
      'or --auth-wait SECONDS); otherwise check that the server allows this authentication method.',
    { detail: `${method}: no packet from the server for ${waitMs} ms (auth wait ${s} s)` },
  );
}

/** The server said no to our credentials; `serverText` is what it said, already made printable. */
export function credentialsRejected(method: string, serverText?: string, detail?: string): SessionFailure {
  const said = serverText === undefined ? '' : ` The server said: "${serverText}".`;
  return failure(
    'auth',
    'auth-failed',
    `The server rejected the user name or password.${said} Check both and try again.`,
    { detail: detail ?? `${method}: rejected${serverText === undefined ? '' : ` (${serverText})`}` },
  );
}

export function serverNotProven(method: string, detail: string): SessionFailure {
  return failure(
    'auth',
    'server-auth-failed',
    'The server could not prove it knows your password: possible man-in-the-middle — do not connect. ' +
      'Check the server address and certificate, and tell your administrator.',
    { detail: `${method}: ${detail}` },
  );
}

export function credentialsTooLong(method: string): SessionFailure {
  return failure(
    'auth',
    'auth-failed',
    `The user name or password is longer than ${method} can carry (255 bytes). Use a shorter one or another method.`,
    { detail: `${method}: peer-id or password over 255 bytes` },
  );
}

/** What an MS-CHAPv2 Failure (RFC 2759 §6; Windows error codes) means for the user. */
export function msChapV2Rejected(method: string, info: MsChapV2FailureInfo | undefined, raw: string): SessionFailure {
  const detail =
    info === undefined
      ? `${method} Failure (unparsed): ${raw}`
      : `${method} Failure E=${info.error} R=${info.retry ? 1 : 0}${info.version === undefined ? '' : ` V=${info.version}`}` +
        (info.message === undefined ? '' : ` M=${info.message.slice(0, 100)}`);
  return failure('auth', 'auth-failed', msChapV2ErrorText(info?.error), { detail });
}

function msChapV2ErrorText(error: number | undefined): string {
  switch (error) {
    case 691:
      return 'The server rejected the login: wrong user name or password. Check both and try again.';
    case 646:
      return 'Your account may not log on at this time of day (restricted logon hours). Try again during your allowed hours or ask your administrator.';
    case 647:
      return 'Your account is disabled. Ask your administrator to enable it.';
    case 648:
      return "Your password has expired. Change it (for example by signing in to Windows or your organization's password page), then connect with the new one.";
    case 649:
      return 'Your account has no permission to connect by VPN (dial-in). Ask your administrator to grant it.';
    case 709:
      return 'The server requires you to change your password, which this app cannot do. Change it another way, then connect with the new one.';
    case undefined:
      return 'The server refused the login without giving a reason. Check your user name and password and try again.';
    default:
      return `The server refused the login (error ${error}). Check your user name and password, or ask your administrator what this error means.`;
  }
}
