// Sleep and resume from logind: Manager.PrepareForSleep(true) before a suspend, (false) after it,
// on the system D-Bus. Read through `gdbus monitor` (libglib2.0-bin, present wherever GLib is) rather
// than a JavaScript D-Bus client: it subscribes with an ordinary match rule (no eavesdropping, so it
// works unprivileged), follows the name's owner, needs no npm dependency (the maintained-enough ones
// pull old stream/XML stacks), and honours DBUS_SYSTEM_BUS_ADDRESS, which the tests use for a private
// bus. Without gdbus or a bus the clock-jump detector still notices a resume, only later.
import { spawnWatcher, watchLines, type SpawnWatcher } from './child-lines.js';

export type SleepEvent =
  | { readonly type: 'sleeping' }
  | { readonly type: 'resumed' }
  /** logind is on the bus: events will come (the watcher is ready). */
  | { readonly type: 'watching' };

const SIGNAL = /^\/org\/freedesktop\/login1: org\.freedesktop\.login1\.Manager\.PrepareForSleep \((true|false),\)$/;
const OWNED = /^The name org\.freedesktop\.login1 is owned by :\S+$/;

/** One line of `gdbus monitor --dest org.freedesktop.login1` output; undefined for everything else. */
export function parseSleepLine(line: string): SleepEvent | undefined {
  const l = line.trim();
  const m = SIGNAL.exec(l);
  if (m) return m[1] === 'true' ? { type: 'sleeping' } : { type: 'resumed' };
  if (OWNED.test(l)) return { type: 'watching' };
  return undefined;
}

export interface SleepWatchOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly spawn?: SpawnWatcher;
  /** The watcher stopped on its own (no gdbus, no system bus): said once, for the log. */
  readonly onUnavailable?: (why: string) => void;
}

export function watchSleep(onEvent: (e: SleepEvent) => void, o: SleepWatchOptions = {}): { stop(): void } {
  return watchLines(
    o.spawn ?? spawnWatcher,
    'gdbus',
    ['monitor', '--system', '--dest', 'org.freedesktop.login1', '--object-path', '/org/freedesktop/login1'],
    o.env ?? process.env,
    (line) => {
      const e = parseSleepLine(line);
      if (e) onEvent(e);
    },
    (why) => o.onUnavailable?.(why),
  );
}
