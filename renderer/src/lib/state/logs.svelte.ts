import type { AttemptView, Backend, LogEntry, LogLevel } from '$contract';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const MAX_LIVE = 5000;

/** Once per painted frame (or every 100 ms where there are no frames, e.g. a hidden window). */
function nextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden)
    requestAnimationFrame(() => fn());
  else setTimeout(fn, 100);
}

/** The log view of one profile: its attempts, the chosen one's entries (live when it is being written). */
export class LogsState {
  profileId = $state<string | null>(null);
  attempts = $state<AttemptView[]>([]);
  live = $state<number | null>(null);
  attempt = $state<number | null>(null);
  entries = $state<LogEntry[]>([]);
  minLevel = $state<LogLevel>('debug');
  search = $state('');
  error = $state<string | null>(null);
  notice = $state<string | null>(null);

  visible = $derived.by(() => {
    const min = LEVELS.indexOf(this.minLevel);
    const q = this.search.trim().toLowerCase();
    return this.entries.filter(
      (e) => LEVELS.indexOf(e.level) >= min && (q === '' || e.message.toLowerCase().includes(q) || e.phase.includes(q)),
    );
  });

  // Live lines wait here and land in `entries` once per frame: copying up to MAX_LIVE entries and
  // re-filtering per line would make a chatty server freeze the window.
  private incoming: LogEntry[] = [];
  private framePending = false;

  constructor(private readonly backend: Backend) {
    backend.on('log', (line) => {
      if (line.profileId !== this.profileId) return;
      if (!this.attempts.some((a) => a.attempt === line.attempt)) {
        this.attempts = [...this.attempts, { attempt: line.attempt, startedAt: line.entry.time, size: 0 }];
        this.live = line.attempt;
        // Follow the newest attempt when the user was watching the previous live one (or nothing).
        if (this.attempt === null || this.attempt === line.attempt - 1) void this.select(line.attempt);
      }
      if (line.attempt === this.attempt) this.queue(line.entry);
    });
  }

  private queue(entry: LogEntry): void {
    this.incoming.push(entry);
    if (this.incoming.length > MAX_LIVE) this.incoming = this.incoming.slice(-MAX_LIVE);
    if (this.framePending) return;
    this.framePending = true;
    nextFrame(() => {
      this.framePending = false;
      const batch = this.incoming;
      this.incoming = [];
      if (batch.length > 0) this.entries = [...this.entries, ...batch].slice(-MAX_LIVE);
    });
  }

  async open(profileId: string): Promise<void> {
    this.profileId = profileId;
    this.error = null;
    this.notice = null;
    const r = await this.backend.invoke('logs.attempts', { profileId });
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.attempts = [...r.attempts];
    this.live = r.live;
    const last = r.attempts.at(-1);
    await this.select(last ? last.attempt : null);
  }

  async select(attempt: number | null): Promise<void> {
    this.attempt = attempt;
    this.entries = [];
    this.incoming = [];
    if (attempt === null || this.profileId === null) return;
    const r = await this.backend.invoke('logs.read', { profileId: this.profileId, attempt });
    if (this.attempt !== attempt) return;
    if (r.ok) this.entries = [...r.entries];
    else this.error = r.error.message;
  }

  async exportText(): Promise<void> {
    if (this.profileId === null || this.attempt === null) return;
    const r = await this.backend.invoke('logs.export', { profileId: this.profileId, attempt: this.attempt });
    this.notice = r.ok ? `Saved to ${r.path}` : r.error.kind === 'cancelled' ? null : r.error.message;
  }
}

export { LEVELS };
