import type { Backend, TrustPrompt } from '$contract';

export class TrustState {
  prompts = $state<TrustPrompt[]>([]);
  error = $state<string | null>(null);

  constructor(private readonly backend: Backend) {
    backend.on('trust.prompt', (p) => {
      this.prompts = [...this.prompts.filter((x) => x.profileId !== p.profileId), p];
    });
    backend.on('trust.resolved', ({ promptId }) => {
      this.prompts = this.prompts.filter((x) => x.promptId !== promptId);
    });
  }

  get current(): TrustPrompt | undefined {
    return this.prompts[0];
  }

  async load(): Promise<void> {
    this.prompts = [...(await this.backend.invoke('trust.pending', undefined))];
  }

  async accept(promptId: string): Promise<void> {
    this.error = null;
    const r = await this.backend.invoke('trust.accept', { promptId });
    this.prompts = this.prompts.filter((x) => x.promptId !== promptId);
    if (!r.ok) this.error = r.error.message;
  }

  async dismiss(promptId: string): Promise<void> {
    this.prompts = this.prompts.filter((x) => x.promptId !== promptId);
    await this.backend.invoke('trust.dismiss', { promptId });
  }
}
