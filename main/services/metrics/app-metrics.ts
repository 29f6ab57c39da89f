// The app's metrics (Preferences → "Serve metrics"): one endpoint for every connection the app runs.
// States, connects and reconnects by reason come per profile from the connection service's snapshots;
// bytes inside TLS and keepalive round trips from a tap on each session. The choice is kept in
// <config>/metrics.json; only loopback addresses are accepted here.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { ConnectionSnapshot } from '../../contract/model.js';
import { systemClock, type Clock } from '../../engine/clock.js';
import type { StreamTap, TapDirection } from '../../engine/diagnostics/stream-tap.js';
import { EchoTimer } from './echo-timer.js';
import { DEFAULT_METRICS_PORT, parseMetricsListen } from './listen-address.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { CONNECTION_STATES } from './state-names.js';

const SettingFile = z.strictObject({ version: z.literal(1), enabled: z.boolean(), listen: z.string().max(64) });

export interface MetricsSetting {
  readonly enabled: boolean;
  readonly listen: string;
  /** Where it is served now; null when off. */
  readonly url: string | null;
}

export type MetricsSettingResult =
  { readonly ok: true; readonly setting: MetricsSetting } | { readonly ok: false; readonly message: string };

export class AppMetrics {
  readonly registry = new Registry();
  private readonly state: Gauge;
  private readonly connects: Counter;
  private readonly reconnects: Counter;
  private readonly bytes: Counter;
  private readonly echoRtt: Histogram;
  private readonly last = new Map<string, ConnectionSnapshot['state']>();
  private server: MetricsServer | undefined;
  private setting: { enabled: boolean; listen: string } = {
    enabled: false,
    listen: `127.0.0.1:${DEFAULT_METRICS_PORT}`,
  };

  constructor(
    private readonly file: string,
    private readonly clock: Clock = systemClock,
  ) {
    const registers = [this.registry];
    this.state = new Gauge({
      name: 'causeway_connection_state',
      help: "Each profile's connection state: 1 for the current one.",
      labelNames: ['profile', 'state'],
      registers,
    });
    this.connects = new Counter({
      name: 'causeway_connects_total',
      help: 'Sessions that came up, per profile.',
      labelNames: ['profile'],
      registers,
    });
    this.reconnects = new Counter({
      name: 'causeway_reconnects_total',
      help: 'Reconnections scheduled, per profile and failure code.',
      labelNames: ['profile', 'reason'],
      registers,
    });
    this.bytes = new Counter({
      name: 'causeway_sstp_bytes_total',
      help: 'Bytes inside TLS over all connections, by direction.',
      labelNames: ['direction'],
      registers,
    });
    this.echoRtt = new Histogram({
      name: 'causeway_echo_rtt_seconds',
      help: 'Keepalive round trips (SSTP or LCP echo) over all connections.',
      labelNames: ['layer'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.bytes.inc({ direction: 'in' }, 0);
    this.bytes.inc({ direction: 'out' }, 0);
    try {
      const saved = SettingFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (saved.success) this.setting = { enabled: saved.data.enabled, listen: saved.data.listen };
    } catch {
      // No file yet (or unreadable): metrics stay off.
    }
  }

  /** Starts the endpoint if the saved setting says so (a busy port leaves it off, reported by get()). */
  async start(): Promise<void> {
    if (this.setting.enabled) await this.apply();
  }

  get(): MetricsSetting {
    return { ...this.setting, url: this.url() };
  }

  async set(enabled: boolean, listen: string): Promise<MetricsSettingResult> {
    const parsed = parseMetricsListen(listen, false);
    if (!parsed.ok) return { ok: false, message: parsed.message };
    const before = this.setting;
    this.setting = { enabled, listen };
    const applied = await this.apply();
    if (!applied.ok) {
      this.setting = before;
      await this.apply();
      return applied;
    }
    try {
      writeFileSync(`${this.file}.tmp`, JSON.stringify({ version: 1, ...this.setting }) + '\n', { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file);
    } catch (e) {
      return { ok: false, message: `The setting could not be saved: ${(e as Error).message}` };
    }
    return { ok: true, setting: this.get() };
  }

  /** Feed every connection snapshot (ConnectionService.subscribe). */
  onSnapshot(s: ConnectionSnapshot): void {
    const previous = this.last.get(s.profileId);
    if (previous === s.state) return;
    this.last.set(s.profileId, s.state);
    for (const name of CONNECTION_STATES)
      this.state.set({ profile: s.profileId, state: name }, name === s.state ? 1 : 0);
    if (s.state === 'connected') this.connects.inc({ profile: s.profileId });
    if (s.state === 'reconnecting') this.reconnects.inc({ profile: s.profileId, reason: s.failure.code });
  }

  /**
   * A tap for one new session (each has its own stream to delineate), or undefined while metrics are
   * off, so the session's data path stays untouched. A session started before metrics were turned on
   * is counted from its next reconnect (a tap cannot join a stream in the middle of a packet).
   */
  sessionTap(): StreamTap | undefined {
    if (!this.server) return undefined;
    const echo = new EchoTimer(this.clock, (layer, ms) => this.echoRtt.observe({ layer }, ms / 1000));
    const counters: Record<TapDirection, { inc(n: number): void }> = {
      in: this.bytes.labels({ direction: 'in' }),
      out: this.bytes.labels({ direction: 'out' }),
    };
    return {
      open: () => echo.reset(),
      bytes: (direction, phase, chunk) => {
        counters[direction].inc(chunk.length);
        if (phase === 'sstp') echo.push(direction, chunk);
      },
      keylog: () => {},
    };
  }

  async shutdown(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  private url(): string | null {
    const a = this.server?.address;
    return a ? `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics` : null;
  }

  private async apply(): Promise<{ ok: true } | { ok: false; message: string }> {
    await this.shutdown();
    if (!this.setting.enabled) return { ok: true };
    const parsed = parseMetricsListen(this.setting.listen, false);
    if (!parsed.ok) return { ok: false, message: parsed.message };
    const started = await startMetricsServer(this.registry, parsed.listen);
    if (!started.ok) return { ok: false, message: started.message };
    this.server = started.server;
    return { ok: true };
  }
}
