// The on-disk form of one attempt's log: one JSON object per line, and back.
import type { LogEntry, LogLevel } from '../../engine/log.js';
import type { Phase } from '../../engine/failure.js';

/** What is written per line; `time` is ISO 8601 so the raw file is readable too. */
export interface LogRecord {
  readonly time: string;
  readonly level: LogLevel;
  readonly phase: Phase;
  readonly message: string;
}

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);
// A server can make the engine log long things; a line stays a line.
export const MAX_MESSAGE_LENGTH = 8192;

export function encodeRecord(e: LogEntry): string {
  const message =
    e.message.length > MAX_MESSAGE_LENGTH ? `${e.message.slice(0, MAX_MESSAGE_LENGTH)}…[truncated]` : e.message;
  const record: LogRecord = { time: new Date(e.time).toISOString(), level: e.level, phase: e.phase, message };
  return `${JSON.stringify(record)}\n`;
}

/** Lines that do not parse (a torn last line after a crash) are counted, not fatal. */
export function decodeRecords(text: string): { entries: LogEntry[]; skipped: number } {
  const entries: LogEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as Partial<LogRecord>;
      const time = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
      if (
        Number.isNaN(time) ||
        typeof r.level !== 'string' ||
        !LEVELS.has(r.level) ||
        typeof r.phase !== 'string' ||
        typeof r.message !== 'string'
      ) {
        skipped++;
        continue;
      }
      entries.push({ time, level: r.level as LogLevel, phase: r.phase as Phase, message: r.message });
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

/** "2025-01-02T03:04:05.006Z INFO  [lcp] message" */
export function formatText(entries: readonly LogEntry[]): string {
  return entries
    .map(
      (e) =>
        `${new Date(e.time).toISOString()} ${e.level.toUpperCase().padEnd(5)} [${e.phase}] ${e.message.replace(/\r?\n/g, '\n    ')}\n`,
    )
    .join('');
}
