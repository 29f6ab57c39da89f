// The service's record of one profile: its shown state, the tunnel running for it, and the counter
// ticker. The generation makes a stale async step (a connect overtaken by a disconnect) give up.
import type { Clock, TimerHandle } from '../../engine/clock.js';
import type { ConnectionState } from '../../contract/model.js';
import type { ByteCounter } from './byte-counter.js';
import type { LiveConnection } from './live-connection.js';
import type { TunnelClaim } from './side-by-side.js';

export interface Entry {
  state: ConnectionState;
  live?: LiveConnection;
  ticker?: TimerHandle;
  /** Bumped by every connect/disconnect intent, so a stale async step knows to give up. */
  generation: number;
  /** A password typed for this run (not remembered): reused by trust retries only. */
  transientPassword?: string;
  /** The kill switch of the data plane in use (absent: off): snapshots say when it blocks. */
  killSwitch?: 'on' | 'always';
  /** When the session shown as connected came up: a passed check (after a resume) keeps it. */
  upSince?: number;
  /** What its system data plane takes (routes, full tunnel, kill switch), from start until released. */
  claim?: TunnelClaim;
}

export function newEntry(): Entry {
  return { state: { state: 'disconnected' }, generation: 0 };
}

/** The entry's tunnel is gone: no more ticks, and a new connect starts afresh. */
export function retire(entry: Entry): void {
  entry.ticker?.cancel();
  entry.ticker = undefined;
  entry.live = undefined;
  entry.claim = undefined;
}

/**
 * Every `everyMs`, calls `push` if the counter moved since the last push; stops for good once
 * `current` says the tunnel is no longer the entry's. Pushing only on movement keeps an idle
 * connection from flooding the renderer with identical snapshots.
 */
export function tickCounters(
  clock: Clock,
  everyMs: number,
  counter: ByteCounter,
  current: () => boolean,
  push: () => void,
): TimerHandle {
  let mark = counter.mark;
  let timer: TimerHandle | undefined;
  const loop = () => {
    timer = clock.after(everyMs, () => {
      if (!current()) return;
      if (counter.mark !== mark) {
        mark = counter.mark;
        push();
      }
      loop();
    });
  };
  loop();
  return { cancel: () => timer?.cancel() };
}
