// The clean stop of every session of one `causeway connect` process (SIGINT/SIGTERM). Sessions that
// came up are stopped one at a time, the last one up first: each undo step of the helper puts back
// what it found (a resolv.conf written over another session's is restored to that one's), so undoing
// in reverse order leaves exactly what was there before the first. Sessions still connecting have
// nothing of that kind yet and are stopped at once.
import type { SessionScope } from './connect-session.js';

type Stop = () => Promise<void>;

export class StopGroup {
  private readonly pending = new Set<Stop>();
  /** In the order they first came up. */
  private readonly up: Stop[] = [];
  private stopping: Promise<void> | undefined;

  /** The stop hooks of one session (its onStop and onFirstConnected). */
  member(): Pick<SessionScope, 'onStop' | 'onFirstConnected'> {
    let mine: Stop | undefined;
    return {
      onStop: (stop) => {
        mine = stop;
        // A signal that came while this session was still being set up stops it as soon as it can be.
        if (this.stopping) void stop();
        else this.pending.add(stop);
        return () => {
          this.pending.delete(stop);
          const i = this.up.indexOf(stop);
          if (i >= 0) this.up.splice(i, 1);
        };
      },
      onFirstConnected: () => {
        if (mine === undefined || !this.pending.delete(mine)) return;
        this.up.push(mine);
      },
    };
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Idempotent: a second signal while stopping waits for the same stop. */
  stopAll(): Promise<void> {
    this.stopping ??= this.run();
    return this.stopping;
  }

  private async run(): Promise<void> {
    const connecting = [...this.pending];
    this.pending.clear();
    await Promise.all(connecting.map((s) => s().catch(() => {})));
    for (const stop of [...this.up].reverse()) await stop().catch(() => {});
  }
}

/** SIGINT and SIGTERM stop the group while `run` runs; the handlers go when it ends. */
export async function withSignals<T>(group: StopGroup, run: () => Promise<T>): Promise<T> {
  const onSignal = () => void group.stopAll();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
