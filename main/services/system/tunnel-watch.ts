// What a running tunnel listens to besides its own session: logind's sleep and resume, a jump of
// the clocks (the process was frozen, or slept without logind telling), and the route to the server.
// Each becomes Tunnel.probe or Tunnel.networkChanged; the tunnel decides what to do.
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../../engine/clock.js';
import { watchClockJumps } from '../../engine/clock-jump.js';
import type { ProbeReason } from '../../engine/datapath/tunnel.js';
import type { SpawnWatcher } from './child-lines.js';
import { watchNetwork, type NetworkChange } from './network-watch.js';
import type { RouteGetter } from './route-path.js';
import { watchSleep } from './sleep-watch.js';

/** The part of Tunnel these watchers drive. */
export interface WatchedTunnel {
  probe(reason: ProbeReason): void;
  networkChanged(reachable: boolean): void;
}

export interface TunnelWatchOptions {
  /** Every address the tunnel's TCP connection may go to (server, alternates, proxy). */
  readonly serverAddresses: readonly string[];
  readonly log: (level: 'info' | 'warn' | 'debug', message: string) => void;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
  readonly spawn?: SpawnWatcher;
  readonly routeGet?: RouteGetter;
  readonly monotonic?: () => number;
}

export interface TunnelWatch {
  /** The watchers have their baseline (the network's first reading is in). */
  readonly ready: Promise<void>;
  stop(): void;
}

export function watchTunnelLife(tunnel: WatchedTunnel, o: TunnelWatchOptions): TunnelWatch {
  const clock = o.clock ?? systemClock;
  const env = o.env ?? process.env;
  const sleep = watchSleep(
    (e) => {
      if (e.type === 'watching') o.log('debug', 'watching logind for sleep and resume');
      else if (e.type === 'sleeping') o.log('info', 'the computer is going to sleep');
      else {
        o.log('info', 'the computer woke up: checking the tunnel');
        tunnel.probe('resume');
      }
    },
    {
      env,
      ...(o.spawn ? { spawn: o.spawn } : {}),
      onUnavailable: (why) => o.log('debug', `sleep and resume are not watched (${why}); a clock jump still is`),
    },
  );
  const jumps = watchClockJumps({
    clock,
    wall: () => clock.now(),
    monotonic: o.monotonic ?? (() => performance.now()),
    onJump: (j) => {
      o.log(
        'info',
        j.kind === 'frozen'
          ? `this process did not run for ${j.ms} ms (frozen or suspended): checking the tunnel`
          : `the wall clock moved ${j.ms} ms against the monotonic one (a suspend, or the clock was set): checking the tunnel`,
      );
      tunnel.probe('clock-jump');
    },
  });
  const net =
    o.serverAddresses.length === 0
      ? undefined
      : watchNetwork({
          addresses: o.serverAddresses,
          clock,
          env,
          ...(o.spawn ? { spawn: o.spawn } : {}),
          ...(o.routeGet ? { routeGet: o.routeGet } : {}),
          onChange: (c: NetworkChange) => {
            o.log(
              c.reachable ? 'info' : 'warn',
              c.reachable
                ? `the route to the server changed: ${c.paths.join('; ')}`
                : `no route to the server (${c.paths.join('; ')}): waiting for the network`,
            );
            tunnel.networkChanged(c.reachable);
          },
          onUnavailable: (why) => o.log('warn', `network changes are not watched: ${why}`),
        });
  return {
    ready: net ? net.ready.then(() => undefined) : Promise.resolve(),
    stop() {
      sleep.stop();
      jumps.stop();
      net?.stop();
    },
  };
}
