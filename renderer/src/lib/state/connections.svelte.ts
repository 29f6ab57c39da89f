import type { Backend, ConnectionSnapshot, StartError } from '$contract';
import type { Sample } from '../throughput';
import type { PasswordPrompter } from './password.svelte';

export type { Sample };

const MAX_SAMPLES = 120;

export class ConnectionsState {
  byProfile = $state<Record<string, ConnectionSnapshot>>({});
  samples = $state<Record<string, Sample[]>>({});
  /** Why the last connect could not start, per profile (failed attempts arrive as snapshots). */
  startErrors = $state<Record<string, string>>({});

  constructor(
    private readonly backend: Backend,
    private readonly passwords: PasswordPrompter,
  ) {
    backend.on('connection', (s) => this.apply(s));
  }

  async load(): Promise<void> {
    for (const s of await this.backend.invoke('connections.list', undefined)) this.apply(s);
  }

  of(profileId: string): ConnectionSnapshot {
    return this.byProfile[profileId] ?? { profileId, state: 'disconnected' };
  }

  async connect(profileId: string, label: string): Promise<void> {
    delete this.startErrors[profileId];
    let r = await this.backend.invoke('connections.connect', { profileId });
    while (!r.ok && r.error.kind === 'password-required') {
      const keychain = r.error.keychainUnavailable;
      const answer = await this.passwords.ask(label, r.error.message, keychain);
      if (!answer) return;
      // Without a keychain there is nothing to remember the password in.
      r = await this.backend.invoke('connections.connect', {
        profileId,
        password: answer.password,
        remember: keychain === undefined && answer.remember,
      });
    }
    if (!r.ok) this.startErrors[profileId] = describeStart(r.error);
  }

  disconnect(profileId: string) {
    return this.backend.invoke('connections.disconnect', { profileId });
  }

  ping(profileId: string) {
    return this.backend.invoke('connections.ping', { profileId });
  }

  private apply(s: ConnectionSnapshot): void {
    this.byProfile[s.profileId] = s;
    if (s.state === 'connected') {
      const list = this.samples[s.profileId] ?? [];
      const t = Date.now() / 1000;
      // A new attempt starts a new graph.
      const fresh = list.length > 0 && (list.at(-1)?.bytesIn ?? 0) > s.bytesIn ? [] : list;
      this.samples[s.profileId] = [...fresh, { t, bytesIn: s.bytesIn, bytesOut: s.bytesOut }].slice(-MAX_SAMPLES);
    } else if (s.state === 'disconnected') {
      this.samples[s.profileId] = [];
    }
  }
}

export function describeStart(e: StartError): string {
  return e.message;
}
