// One-time codes for the strict peer, as a RADIUS server with an OTP back end checks them: the
// password the client proves is the static password with the code appended ('append', the common
// "password+code" of RSA/Duo/FreeRADIUS setups) or the code alone ('replace'); each code works once.
// Shared by every connection of one peer (the test holds the instance), so a reconnect that replays
// a code is refused like a real OTP server refuses it.

export type OtpPeerMode = 'append' | 'replace';

export interface OtpCandidate {
  readonly password: string;
  readonly code: string;
  readonly used: boolean;
}

export class OneTimeCodes {
  private readonly used = new Set<string>();
  /** Codes accepted, in order (the test's proof that each connect used a fresh one). */
  readonly accepted: string[] = [];
  /** Codes presented again after they were used. */
  readonly replayed: string[] = [];

  constructor(
    private readonly codes: readonly string[],
    readonly mode: OtpPeerMode,
  ) {}

  /** Every password the client might have proven, with the code it carries. */
  candidates(staticPassword: string): OtpCandidate[] {
    return this.codes.map((code) => ({
      password: this.mode === 'append' ? `${staticPassword}${code}` : code,
      code,
      used: this.used.has(code),
    }));
  }

  consume(code: string): void {
    this.used.add(code);
    this.accepted.push(code);
  }

  noteReplay(code: string): void {
    this.replayed.push(code);
  }
}
