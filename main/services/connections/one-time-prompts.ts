// One-time codes the app asks the user for: at each connect and each reconnect of a profile with
// `otp`, a prompt goes to the renderer (event otp.prompt) and the connection waits for the answer
// (otp.answer) or its dismissal. The code lives only in the config of the one session it is for:
// never in the keychain, a file or a log, and never sent twice.
import { randomUUID } from 'node:crypto';
import type { OtpMode, SessionConfig } from '../../engine/config.js';
import type { RenewedConfig } from '../../engine/datapath/tunnel.js';
import { failure } from '../../engine/failure.js';
import type { OtpPrompt } from '../../contract/model.js';
import type { Profile } from '../../contract/profile.js';

/** What the server is sent: password+code ('append'), or the code alone ('replace'). */
export function withOneTimeCode(
  config: SessionConfig,
  staticPassword: string,
  code: string,
  mode: OtpMode,
): SessionConfig {
  const password = mode === 'append' ? `${staticPassword}${code}` : code;
  return { ...config, credentials: { ...config.credentials, password } };
}

const CODE = /^[0-9A-Za-z]{4,32}$/;

interface Pending {
  readonly prompt: OtpPrompt;
  readonly answer: (code: string | null) => void;
}

export class OtpPrompts {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly events: { opened(p: OtpPrompt): void; resolved(promptId: string): void }) {}

  /** Asks for a code; null when dismissed (or replaced by a newer question for the same profile). */
  ask(profile: Profile, attempt: number, reason?: string): Promise<string | null> {
    for (const id of this.forProfile(profile.id)) this.resolve(id, null);
    return new Promise((resolve) => {
      const prompt: OtpPrompt = {
        promptId: randomUUID(),
        profileId: profile.id,
        profileName: profile.name,
        attempt,
        message:
          attempt === 1
            ? `Enter the one-time code for ${profile.name}.`
            : `The connection to ${profile.name} dropped. Enter a new one-time code to reconnect (the last one is spent).`,
        ...(reason !== undefined ? { reason } : {}),
      };
      this.pending.set(prompt.promptId, { prompt, answer: resolve });
      this.events.opened(prompt);
    });
  }

  /** The user's code: false when the prompt is gone. The caller checks the code's shape (see flow). */
  answer(promptId: string, code: string): boolean {
    return this.resolve(promptId, code);
  }

  dismiss(promptId: string): void {
    this.resolve(promptId, null);
  }

  forProfile(profileId: string): string[] {
    return [...this.pending.values()].filter((p) => p.prompt.profileId === profileId).map((p) => p.prompt.promptId);
  }

  list(): OtpPrompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  private resolve(promptId: string, code: string | null): boolean {
    const p = this.pending.get(promptId);
    if (!p) return false;
    this.pending.delete(promptId);
    this.events.resolved(promptId);
    p.answer(code);
    return true;
  }
}

/**
 * The codes of one connection: each must look like a code and differ from every one used before in
 * it; a bad one is asked again with the reason. null: the user dismissed the question.
 */
export class OtpFlow {
  private readonly used = new Set<string>();

  constructor(
    private readonly prompts: OtpPrompts,
    private readonly profile: Profile,
    private readonly mode: OtpMode,
  ) {}

  async code(attempt: number): Promise<string | null> {
    let reason: string | undefined;
    for (;;) {
      const raw = await this.prompts.ask(this.profile, attempt, reason);
      if (raw === null) return null;
      const code = raw.trim();
      if (!CODE.test(code)) reason = 'That is not a one-time code (4 to 32 letters or digits).';
      else if (this.used.has(code)) reason = 'That code was already used; wait for the next one.';
      else {
        this.used.add(code);
        return code;
      }
    }
  }

  config(base: SessionConfig, code: string): SessionConfig {
    return withOneTimeCode(base, base.credentials.password, code, this.mode);
  }

  /** For the Tunnel: a fresh code before each reconnect, or the end when the user gives none. */
  renew(base: SessionConfig): (attempt: number) => Promise<RenewedConfig> {
    return async (attempt) => {
      const code = await this.code(attempt + 1);
      if (code === null)
        return {
          ok: false,
          failure: failure(
            'auth',
            'cancelled',
            `No one-time code was entered, so ${this.profile.name} was not reconnected. Connect again when you have a code.`,
          ),
        };
      return { ok: true, config: this.config(base, code) };
    };
  }
}
