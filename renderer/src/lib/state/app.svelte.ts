// The renderer's services, created once at start and handed to components through context.
import { getContext, setContext } from 'svelte';
import type { AppInfo, Backend, ProfileIssue } from '$contract';
import { ConnectionsState } from './connections.svelte';
import { LogsState } from './logs.svelte';
import { PasswordPrompter } from './password.svelte';
import { ProfilesState } from './profiles.svelte';
import { TrustState } from './trust.svelte';
import { OtpState } from './otp.svelte';

export type View = 'status' | 'edit' | 'logs' | 'doctor' | 'new' | 'import' | 'preferences';
export type Theme = 'system' | 'light' | 'dark';
export interface SaveNotes {
  readonly fieldWarnings: readonly ProfileIssue[];
  readonly message: { kind: 'ok' | 'error'; text: string } | null;
}

export class AppState {
  readonly passwords = new PasswordPrompter();
  readonly profiles: ProfilesState;
  readonly connections: ConnectionsState;
  readonly trust: TrustState;
  readonly otp: OtpState;
  readonly logs: LogsState;
  selectedId = $state<string | null>(null);
  view = $state<View>('status');
  info = $state<AppInfo | null>(null);
  theme = $state<Theme>('system');
  fatal = $state<string | null>(null);
  // Not reactive: read once by the editor that mounts for the profile just created.
  private readonly saveNotes = new Map<string, SaveNotes>();

  constructor(readonly backend: Backend) {
    this.profiles = new ProfilesState(backend);
    this.connections = new ConnectionsState(backend, this.passwords);
    this.trust = new TrustState(backend);
    this.otp = new OtpState(backend);
    this.logs = new LogsState(backend);
  }

  async start(): Promise<void> {
    try {
      this.info = await this.backend.invoke('app.info', undefined);
      await Promise.all([this.profiles.load(), this.connections.load(), this.trust.load(), this.otp.load()]);
      if (this.selectedId === null) this.selectedId = this.profiles.list[0]?.profile.id ?? null;
    } catch (e) {
      this.fatal = e instanceof Error ? e.message : String(e);
    }
  }

  select(id: string, view: View = 'status'): void {
    this.selectedId = id;
    this.show(view);
  }

  show(view: View): void {
    this.view = view;
    if (view === 'logs' && this.selectedId) void this.logs.open(this.selectedId);
  }

  handOverSaveNotes(profileId: string, notes: SaveNotes): void {
    this.saveNotes.set(profileId, notes);
  }

  takeSaveNotes(profileId: string): SaveNotes | undefined {
    const n = this.saveNotes.get(profileId);
    this.saveNotes.delete(profileId);
    return n;
  }

  setTheme(t: Theme): void {
    this.theme = t;
    if (t === 'system') delete document.documentElement.dataset['theme'];
    else document.documentElement.dataset['theme'] = t;
  }
}

const KEY = Symbol('app');
export const provideApp = (a: AppState) => setContext(KEY, a);
export const useApp = () => getContext<AppState>(KEY);
