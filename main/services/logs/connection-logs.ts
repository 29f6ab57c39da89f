// All connection logs: <logsDir>/<profile-id>/<timestamp>-<attempt>.jsonl, one file per attempt.
// Rotation keeps at most `maxFiles` attempts and `maxBytes` in total per profile, oldest deleted first,
// never the attempt still being written. Each attempt's own file is capped too (see attempt-file.ts),
// so one flooding server cannot fill the profile's whole budget and push every other attempt out.
import type { Result } from '../../engine/result.js';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../engine/clock.js';
import type { LogEntry } from '../../engine/log.js';
import { writeFileAtomic } from '../profiles/atomic-write.js';
import { ConnectionLog, DEFAULT_LOG_LIMITS, type AttemptInfo, type LogLimits } from './connection-log.js';
import { decodeRecords, formatText } from './log-file.js';
import { createRedactor } from './redact.js';

export interface ConnectionLogsOptions {
  readonly maxFiles?: number; // per profile, default 20
  readonly maxBytes?: number; // per profile, default 10 MiB
  readonly tailSize?: number; // entries kept in memory per open log, default 1000
  readonly now?: () => number;
  /** Timers of the repeat limiter, the file's flush and the live batches (default: the system clock). */
  readonly clock?: Clock;
  /** How live views' batches are deferred to a later turn (default setImmediate); for tests. */
  readonly defer?: (fn: () => void) => void;
  /**
   * Keep every debug line in the files (a "verbose logging" setting or flag); default false. A function
   * is asked at each start(), so the app's setting applies to the next attempt without a restart.
   */
  readonly verbose?: boolean | (() => boolean);
  /** Per-attempt limits; any part may be given (defaults in connection-log.ts). */
  readonly limits?: {
    readonly file?: Partial<LogLimits['file']>;
    readonly repeat?: Partial<LogLimits['repeat']>;
    readonly live?: Partial<LogLimits['live']>;
  };
}

export type LogsError =
  | { kind: 'bad-profile-id'; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'io'; message: string };
export type LogsResult<T> = Result<T, LogsError>;

const FILE = /^(\d{8}T\d{6}\d{3}Z)-(\d+)\.jsonl$/;
// Profile ids become directory names: nothing that could climb out of the logs directory.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

export class ConnectionLogs {
  private readonly maxFiles: number;
  private readonly maxBytes: number;
  private readonly tailSize: number;
  private readonly now: () => number;
  private readonly clock: Clock;
  private readonly limits: LogLimits;
  private readonly defer: ((fn: () => void) => void) | undefined;
  private readonly verbose: (() => boolean) | undefined;
  private readonly open = new Map<string, ConnectionLog>();

  constructor(
    readonly logsDir: string,
    opts: ConnectionLogsOptions = {},
  ) {
    this.maxFiles = opts.maxFiles ?? 20;
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.tailSize = opts.tailSize ?? 1000;
    this.clock = opts.clock ?? systemClock;
    this.defer = opts.defer;
    this.now = opts.now ?? (() => this.clock.now());
    const l = opts.limits ?? {};
    const verbose = opts.verbose;
    this.verbose = typeof verbose === 'function' ? verbose : verbose === undefined ? undefined : () => verbose;
    this.limits = {
      file: { ...DEFAULT_LOG_LIMITS.file, ...l.file },
      repeat: { ...DEFAULT_LOG_LIMITS.repeat, ...l.repeat },
      live: { ...DEFAULT_LOG_LIMITS.live, ...l.live },
    };
  }

  /**
   * Starts the log of a new attempt. `secrets` are this connection's actual secrets (password, proxy
   * password, passphrase): they are scrubbed wherever they appear, on top of the pattern redaction.
   */
  start(profileId: string, opts: { secrets?: readonly string[]; verbose?: boolean } = {}): LogsResult<ConnectionLog> {
    if (!SAFE_ID.test(profileId)) return badId(profileId);
    const dir = join(this.logsDir, profileId);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      return { ok: false, error: { kind: 'io', message: `Cannot create ${dir}: ${(e as Error).message}` } };
    }
    const previous = this.scan(profileId);
    const attempt = Math.max(0, ...previous.map((a) => a.attempt)) + 1;
    const startedAt = this.now();
    const file = join(dir, `${stamp(startedAt)}-${String(attempt).padStart(4, '0')}.jsonl`);
    // The caller's choice for this attempt (the CLI's --verbose) beats the standing setting.
    const verbose = opts.verbose ?? this.verbose?.();
    const limits = verbose === undefined ? this.limits : { ...this.limits, file: { ...this.limits.file, verbose } };
    const onClose = () => {
      this.open.delete(file);
      this.rotate(profileId);
    };
    const log = new ConnectionLog(
      { profileId, attempt, startedAt, file },
      createRedactor(opts.secrets),
      this.tailSize,
      onClose,
      this.clock,
      limits,
      this.defer,
    );
    this.open.set(file, log);
    this.rotate(profileId);
    return { ok: true, value: log };
  }

  /** Attempts of a profile, oldest first. */
  list(profileId: string): LogsResult<AttemptInfo[]> {
    if (!SAFE_ID.test(profileId)) return badId(profileId);
    return { ok: true, value: this.scan(profileId) };
  }

  async read(
    profileId: string,
    attempt: number,
  ): Promise<LogsResult<{ info: AttemptInfo; entries: LogEntry[]; skipped: number }>> {
    const found = this.find(profileId, attempt);
    if (!found.ok) return found;
    // The attempt may still be written: its buffered lines belong in what is read.
    this.open.get(found.value.file)?.flush();
    try {
      const decoded = decodeRecords(await readFile(found.value.file, 'utf8'));
      return { ok: true, value: { info: found.value, ...decoded } };
    } catch (e) {
      return { ok: false, error: { kind: 'io', message: `Cannot read ${found.value.file}: ${(e as Error).message}` } };
    }
  }

  /**
   * Writes a readable text version of one attempt to `dest` (for a bug report). Redacted again on the way
   * out with the patterns and any `secrets` given, in case the file predates a redaction rule.
   */
  async exportText(
    profileId: string,
    attempt: number,
    dest: string,
    opts: { secrets?: readonly string[] } = {},
  ): Promise<LogsResult<string>> {
    const r = await this.read(profileId, attempt);
    if (!r.ok) return r;
    const redact = createRedactor(opts.secrets);
    const header = `Causeway connection log — profile ${profileId}, attempt ${attempt}, started ${new Date(r.value.info.startedAt).toISOString()}\n\n`;
    const body = formatText(r.value.entries.map((e) => ({ ...e, message: redact(e.message) })));
    try {
      await writeFileAtomic(dest, header + body);
    } catch (e) {
      return { ok: false, error: { kind: 'io', message: `Cannot write ${dest}: ${(e as Error).message}` } };
    }
    return { ok: true, value: dest };
  }

  /** Deletes every log of a profile (when the profile is deleted). */
  async removeAll(profileId: string): Promise<LogsResult<void>> {
    if (!SAFE_ID.test(profileId)) return badId(profileId);
    await rm(join(this.logsDir, profileId), { recursive: true, force: true });
    return { ok: true, value: undefined };
  }

  /** Applies the count and size limits to one profile's logs. */
  rotate(profileId: string): void {
    const attempts = this.scan(profileId);
    let count = attempts.length;
    let total = attempts.reduce((n, a) => n + a.size, 0);
    for (const a of attempts) {
      if (count <= this.maxFiles && total <= this.maxBytes) break;
      if (this.open.has(a.file)) continue;
      try {
        unlinkSync(a.file);
        count--;
        total -= a.size;
      } catch {
        // Already gone, or not ours to delete: try the next one.
      }
    }
  }

  private find(profileId: string, attempt: number): LogsResult<AttemptInfo> {
    if (!SAFE_ID.test(profileId)) return badId(profileId);
    const a = this.scan(profileId).find((x) => x.attempt === attempt);
    return a
      ? { ok: true, value: a }
      : { ok: false, error: { kind: 'not-found', message: `No attempt ${attempt} in the logs of ${profileId}.` } };
  }

  private scan(profileId: string): AttemptInfo[] {
    const dir = join(this.logsDir, profileId);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const out: AttemptInfo[] = [];
    for (const name of names) {
      const m = FILE.exec(name);
      if (!m) continue;
      const file = join(dir, name);
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        continue;
      }
      out.push({ profileId, attempt: Number(m[2]), startedAt: parseStamp(m[1] ?? ''), file, size });
    }
    return out.sort((a, b) => a.attempt - b.attempt);
  }
}

function badId(profileId: string): { ok: false; error: LogsError } {
  return { ok: false, error: { kind: 'bad-profile-id', message: `"${profileId}" is not a valid profile id.` } };
}

/** 20250102T030405006Z: sortable, no ':' (Windows). */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function parseStamp(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
}
