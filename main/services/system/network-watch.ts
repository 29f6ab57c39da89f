// Network changes as they matter to a tunnel: whether the server can be reached, and whether the path
// to it changed. `ip monitor route address` (rtnetlink multicast, readable without privileges; the
// helper is root only to change things) says *that* something changed; `ip route get` per server
// address says what the path is now. A netlink socket of our own would need a native addon for
// AF_NETLINK; iproute2 is already what the helper uses. Bursts (a link going down takes its routes
// and addresses with it) are read once, after a short quiet time.
import type { Clock, TimerHandle } from '../../engine/clock.js';
import { spawnWatcher, watchLines, type SpawnWatcher } from './child-lines.js';
import { describePath, routeGet, type RouteGetter } from './route-path.js';

export interface NetworkChange {
  /** Some server address has a route that carries packets. */
  readonly reachable: boolean;
  /** The path per address, e.g. "10.0.0.1: dev wlan0 via 192.168.1.1 src 192.168.1.7". */
  readonly paths: readonly string[];
}

export interface NetworkWatchOptions {
  readonly addresses: readonly string[];
  readonly clock: Clock;
  readonly onChange: (c: NetworkChange) => void;
  readonly onUnavailable?: (why: string) => void;
  /** Quiet time after the last change before the path is read again (default 150 ms). */
  readonly settleMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly spawn?: SpawnWatcher;
  readonly routeGet?: RouteGetter;
}

/**
 * Whether a monitor line is a change worth reading the path again for: any route or address line
 * (continuation lines included; a burst is read once anyway), not blank ones.
 */
export function isNetworkLine(line: string): boolean {
  return line.trim() !== '';
}

export interface NetworkWatch {
  /** The first reading of the path (a baseline; not reported through onChange). */
  readonly ready: Promise<NetworkChange>;
  stop(): void;
}

export function watchNetwork(o: NetworkWatchOptions): NetworkWatch {
  const get = o.routeGet ?? routeGet;
  const settleMs = o.settleMs ?? 150;
  let last: string | undefined;
  let timer: TimerHandle | undefined;
  let running = false;
  let again = false;
  let stopped = false;

  const read = async (): Promise<NetworkChange> => {
    const paths = await Promise.all(o.addresses.map(async (a) => ({ a, p: await get(a) })));
    return { reachable: paths.some((x) => x.p.reachable), paths: paths.map((x) => describePath(x.a, x.p)) };
  };
  const evaluate = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const now = await read();
        const key = now.paths.join('\n');
        if (!stopped && key !== last) {
          last = key;
          o.onChange(now);
        }
      } while (again && !stopped);
    } finally {
      running = false;
    }
  };
  const ready = read().then((first) => {
    last ??= first.paths.join('\n');
    return first;
  });
  const child = watchLines(
    o.spawn ?? spawnWatcher,
    'ip',
    ['monitor', 'route', 'address'],
    o.env ?? process.env,
    (line) => {
      if (stopped || !isNetworkLine(line)) return;
      timer?.cancel();
      timer = o.clock.after(settleMs, () => void evaluate());
    },
    (why) => o.onUnavailable?.(why),
  );
  return {
    ready,
    stop() {
      stopped = true;
      timer?.cancel();
      child.stop();
    },
  };
}
