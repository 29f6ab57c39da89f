// The HTTP endpoint Prometheus scrapes: GET /metrics in the text exposition format, nothing else.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { MetricsListen } from './listen-address.js';

export interface MetricsServer {
  /** Where it actually listens (port 0 asks for any free one). */
  readonly address: MetricsListen;
  close(): Promise<void>;
}

export type MetricsServerStart =
  { readonly ok: true; readonly server: MetricsServer } | { readonly ok: false; readonly message: string };

export function startMetricsServer(registry: Registry, listen: MetricsListen): Promise<MetricsServerStart> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Causeway metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) =>
        res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
    );
  });
  // Scrapes must not keep a finished CLI alive.
  server.unref();
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'the port is in use'
          : e.code === 'EADDRNOTAVAIL'
            ? 'no interface has that address'
            : e.message;
      resolve({ ok: false, message: `cannot serve metrics on ${listen.host}:${listen.port}: ${why}` });
    });
    server.listen(listen.port, listen.host, () => {
      const a = server.address() as AddressInfo;
      resolve({
        ok: true,
        server: {
          address: { host: a.address, port: a.port },
          close: () =>
            new Promise<void>((r) => {
              server.closeAllConnections();
              server.close(() => r());
            }),
        },
      });
    });
  });
}
