// `connect --metrics HOST:PORT`: a Prometheus endpoint for this tunnel (services/metrics), loopback
// only unless --metrics-allow-remote says otherwise. prom-client (and @opentelemetry/api with it)
// costs ~10 MB of resident memory, so it is loaded only when --metrics is given (issue 17).
import type { Command } from 'commander';
import type { ConnectionMetrics } from '../services/metrics/connection-metrics.js';
import { parseMetricsListen } from '../services/metrics/listen-address.js';
import type { MetricsServer } from '../services/metrics/metrics-server.js';

export interface MetricsCliOptions {
  metrics?: string;
  metricsAllowRemote?: boolean;
}

export function addMetricsOptions(cmd: Command): Command {
  return cmd
    .option(
      '--metrics <host:port>',
      'serve Prometheus metrics of this tunnel at http://HOST:PORT/metrics (loopback only, e.g. 127.0.0.1:9464)',
    )
    .option(
      '--metrics-allow-remote',
      'let --metrics listen on a non-loopback address (anyone who reaches it sees when the tunnel is up and how much flows)',
    );
}

export interface RunningMetrics {
  readonly metrics: ConnectionMetrics;
  readonly server: MetricsServer;
  readonly url: string;
}

export type MetricsStart =
  | { readonly ok: true; readonly running: RunningMetrics | undefined }
  | { readonly ok: false; readonly message: string };

export async function startCliMetrics(o: MetricsCliOptions, labels: Record<string, string>): Promise<MetricsStart> {
  if (o.metrics === undefined) {
    if (o.metricsAllowRemote) return { ok: false, message: '--metrics-allow-remote needs --metrics' };
    return { ok: true, running: undefined };
  }
  const listen = parseMetricsListen(o.metrics, o.metricsAllowRemote === true);
  if (!listen.ok)
    return {
      ok: false,
      message: `--metrics: ${listen.message}${listen.remote ? ' To listen there anyway, add --metrics-allow-remote.' : ''}`,
    };
  const [{ createConnectionMetrics }, { startMetricsServer }] = await Promise.all([
    import('../services/metrics/connection-metrics.js'),
    import('../services/metrics/metrics-server.js'),
  ]);
  const metrics = createConnectionMetrics({ labels });
  const started = await startMetricsServer(metrics.registry, listen.listen);
  if (!started.ok) return { ok: false, message: `--metrics: ${started.message}` };
  const a = started.server.address;
  const url = `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics`;
  return { ok: true, running: { metrics, server: started.server, url } };
}
