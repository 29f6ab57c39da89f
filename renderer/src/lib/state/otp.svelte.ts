import type { Backend, OtpPrompt } from '$contract';

/** One-time codes main waits for; the dialog answers `current`. Codes are sent once and not kept. */
export class OtpState {
  prompts = $state<OtpPrompt[]>([]);

  constructor(private readonly backend: Backend) {
    backend.on('otp.prompt', (p) => {
      this.prompts = [...this.prompts.filter((x) => x.profileId !== p.profileId), p];
      notify(p);
    });
    backend.on('otp.resolved', ({ promptId }) => {
      this.prompts = this.prompts.filter((x) => x.promptId !== promptId);
    });
  }

  get current(): OtpPrompt | undefined {
    return this.prompts[0];
  }

  async load(): Promise<void> {
    this.prompts = [...(await this.backend.invoke('otp.pending', undefined))];
  }

  async answer(promptId: string, code: string): Promise<void> {
    this.prompts = this.prompts.filter((x) => x.promptId !== promptId);
    await this.backend.invoke('otp.answer', { promptId, code });
  }

  async dismiss(promptId: string): Promise<void> {
    this.prompts = this.prompts.filter((x) => x.promptId !== promptId);
    await this.backend.invoke('otp.dismiss', { promptId });
  }
}

/** A reconnect may ask while the window is in the background: say so where the desktop shows it. */
function notify(p: OtpPrompt): void {
  if (p.attempt === 1 || typeof Notification === 'undefined') return;
  const show = () =>
    new Notification(`Causeway: ${p.profileName}`, {
      body: 'The connection dropped. Enter a new one-time code to reconnect.',
    });
  if (Notification.permission === 'granted') show();
  else if (Notification.permission === 'default')
    void Notification.requestPermission().then((r) => r === 'granted' && show());
}
