// The engine reports what it does through an injected sink; it never writes files or consoles itself.
// Messages must never contain secrets (passwords, challenge responses, keys, proxy credentials).
import type { Phase } from './failure.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  readonly time: number; // ms since epoch, from the injected clock
  readonly level: LogLevel;
  readonly phase: Phase;
  readonly message: string;
}

export type LogSink = (entry: LogEntry) => void;

/** A logger bound to one phase, so protocol modules need not repeat it. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function phaseLogger(sink: LogSink, phase: Phase, now: () => number = Date.now): Logger {
  const at = (level: LogLevel) => (message: string) => sink({ time: now(), level, phase, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentSink: LogSink = () => {};
