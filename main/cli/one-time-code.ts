// One-time codes for `causeway connect` (and the one attempt of `test` / `doctor`): asked at each connect and reconnect (on the terminal, or a
// line of standard input with --otp-stdin), joined to the password as the profile says, never
// stored or logged, and never sent twice — a code the server already took would only fail.
import { failure } from '../engine/failure.js';
import type { SessionFailure } from '../engine/failure.js';
import { OTP_MODES, type OtpMode, type SessionConfig } from '../engine/config.js';
import { withOneTimeCode } from '../services/connections/one-time-prompts.js';
import type { Profile } from '../contract/profile.js';
import type { Parsed } from './options.js';
import { isTerminal, promptFailureMessage, promptSecret } from './prompt-secret.js';
import type { MaybeTerminal } from './prompt-secret.js';
import { stdinLines } from './stdin-lines.js';

export interface OtpFlags {
  /** --otp MODE: ask for a code at each connect ('append' or 'replace'). */
  otp?: string;
  /** --otp-stdin: the codes are lines of standard input (after the password line with --password-stdin). */
  otpStdin?: boolean;
}

/** The mode in force: the flag, else the profile's; --otp-stdin alone means the profile's or 'append'. */
export function otpMode(o: OtpFlags, profile: Profile | undefined): Parsed<OtpMode | undefined> {
  if (o.otp !== undefined) {
    const mode = OTP_MODES.find((m) => m === o.otp);
    return mode
      ? { ok: true, value: mode }
      : { ok: false, error: `--otp must be append (password+code) or replace (the code alone), got "${o.otp}"` };
  }
  const fromProfile = profile?.otp?.mode;
  if (fromProfile) return { ok: true, value: fromProfile };
  return { ok: true, value: o.otpStdin === true ? 'append' : undefined };
}

/** What the server is sent: password+code, or the code alone (the app's one definition). */
export const withCode = withOneTimeCode;

export type CodeRead =
  { readonly ok: true; readonly code: string } | { readonly ok: false; readonly failure: SessionFailure };

export interface CodeSourceOptions {
  readonly stdin: MaybeTerminal;
  readonly fromStdin: boolean;
  readonly label: string;
  /** Said before each read, so a script feeding --otp-stdin knows when to write the next code. */
  readonly announce: (attempt: number, reason: string | undefined) => void;
  readonly terminal: (text: string) => void;
}

const CODE = /^[0-9A-Za-z]{4,32}$/;

export class CodeSource {
  private readonly used = new Set<string>();

  constructor(private readonly o: CodeSourceOptions) {}

  /** The next code, checked and not used before in this run. */
  async next(attempt: number): Promise<CodeRead> {
    let reason: string | undefined;
    for (let tries = 0; tries < 5; tries++) {
      this.o.announce(attempt, reason);
      const read = await this.readOne();
      if (!read.ok) return read;
      const code = read.code.trim();
      if (!CODE.test(code)) reason = 'that is not a one-time code (4 to 32 letters or digits)';
      else if (this.used.has(code)) reason = 'that code was already used; wait for the next one';
      else {
        this.used.add(code);
        return { ok: true, code };
      }
      if (!this.o.fromStdin || isTerminal(this.o.stdin)) this.o.terminal(`causeway: ${reason}\n`);
    }
    return { ok: false, failure: noCode('five unusable one-time codes in a row') };
  }

  private async readOne(): Promise<CodeRead> {
    const { stdin } = this.o;
    if (this.o.fromStdin && !isTerminal(stdin)) {
      let line: string | undefined;
      try {
        line = await stdinLines(stdin).next();
      } catch (e) {
        return { ok: false, failure: noCode((e as Error).message) };
      }
      return line === undefined ? { ok: false, failure: noCode('standard input ended') } : { ok: true, code: line };
    }
    if (!isTerminal(stdin))
      return { ok: false, failure: noCode('there is no terminal to ask on; give the codes with --otp-stdin') };
    const r = await promptSecret(stdin, this.o.terminal, this.o.label);
    return r.ok ? { ok: true, code: r.value } : { ok: false, failure: noCode(promptFailureMessage(r.reason)) };
  }
}

function noCode(why: string): SessionFailure {
  return failure(
    'auth',
    'cancelled',
    `No usable one-time code was given (${why}), so Causeway did not connect: a code cannot be reused. Connect again with a fresh code.`,
    {
      detail: `one-time code: ${why}`,
    },
  );
}

/** A run's config and the secrets its log and report scrub by value. */
export interface CodedRun {
  readonly config: SessionConfig;
  readonly secrets: readonly string[];
  /** Set when a code was joined to the password. */
  readonly oneTimeCode: boolean;
}

/**
 * `causeway test` / `doctor`: the one attempt's code, read as connect reads its first one (the line
 * after the password and proxy password lines with --otp-stdin, else a prompt), joined the same way.
 * The code and the password sent become secrets of the run, so no log or report holds them.
 */
export async function withFirstCode(
  run: CodedRun,
  o: OtpFlags,
  profile: Profile | undefined,
  io: Omit<CodeSourceOptions, 'fromStdin' | 'label'>,
): Promise<Parsed<CodedRun>> {
  const mode = otpMode(o, profile);
  if (!mode.ok) return mode;
  if (mode.value === undefined) return { ok: true, value: run };
  const { config } = run;
  const codes = new CodeSource({
    ...io,
    fromStdin: o.otpStdin === true,
    label: `One-time code for ${config.credentials.username}@${config.host}: `,
  });
  const first = await codes.next(1);
  if (!first.ok) return { ok: false, error: first.failure.message };
  const coded = withCode(config, config.credentials.password, first.code, mode.value);
  return {
    ok: true,
    value: { config: coded, secrets: [...run.secrets, first.code, coded.credentials.password], oneTimeCode: true },
  };
}
