// Certificates waiting for the user's decision. The prompt the renderer sees carries the certificate's
// description; what main needs to act on "trust" (the fingerprint, and the password typed for the
// attempt so a retry need not ask again) stays here.
import { randomUUID } from 'node:crypto';
import type { CertificateInfo } from '../../engine/certificate-info.js';
import type { TrustPrompt } from '../../contract/model.js';

interface Pending {
  readonly prompt: TrustPrompt;
  /** Only when the user typed it for this attempt (not remembered): kept in memory for the retry. */
  readonly password?: string;
}

export class TrustPrompts {
  private readonly pending = new Map<string, Pending>();

  open(p: {
    profileId: string;
    profileName: string;
    kind: TrustPrompt['kind'];
    certificate: CertificateInfo;
    message: string;
    expected?: string;
    password?: string;
    target?: 'eap';
  }): TrustPrompt {
    // One open prompt per profile: a newer certificate replaces the older question.
    for (const [id, x] of this.pending) if (x.prompt.profileId === p.profileId) this.pending.delete(id);
    const prompt: TrustPrompt = {
      promptId: randomUUID(),
      profileId: p.profileId,
      profileName: p.profileName,
      kind: p.kind,
      certificate: p.certificate,
      message: p.message,
      ...(p.expected !== undefined ? { expected: p.expected } : {}),
      ...(p.target !== undefined ? { target: p.target } : {}),
    };
    this.pending.set(prompt.promptId, { prompt, ...(p.password !== undefined ? { password: p.password } : {}) });
    return prompt;
  }

  take(promptId: string): Pending | undefined {
    const p = this.pending.get(promptId);
    this.pending.delete(promptId);
    return p;
  }

  forProfile(profileId: string): string[] {
    return [...this.pending.values()].filter((p) => p.prompt.profileId === profileId).map((p) => p.prompt.promptId);
  }

  list(): TrustPrompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }
}
