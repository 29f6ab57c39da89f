// A loopback TLS server presenting a test certificate chain, and startTls (the production TLS step)
// against it: what the engine makes of a certificate under a trust policy, with OpenSSL's real
// chain verdict.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import forge from 'node-forge';
import type { TrustPolicy } from '../../../../../main/engine/config.js';
import { ArenaReads } from '../../../../../main/engine/transport/read-arena.js';
import { startTls, type TlsResult } from '../../../../../main/engine/transport/tls.js';
import type { Issued } from '../../../services/trust/helpers/certs.js';

/** The name the test certificates carry. */
export const HOST = 'sstp.example.test';

/** A loopback TLS server presenting `chain`, leaf first. */
export async function serve(chain: readonly Issued[]): Promise<Server> {
  const [leaf] = chain;
  assert.ok(leaf);
  const key = forge.pki.privateKeyToPem(leaf.key);
  const server = createServer({ cert: chain.map((c) => c.pem).join(''), key }, (s) => s.on('error', () => undefined));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * What startTls makes of `chain` under `trust`, connecting as `host` (default HOST; `sni` if given).
 * `direct`: tls.connect opens the TCP connection itself (DirectTcp, reads into an arena), as dial.ts
 * does for one address without a proxy; otherwise TLS runs over a socket connected here.
 */
export async function judge(
  chain: readonly Issued[],
  trust: TrustPolicy,
  o: { host?: string; sni?: string; direct?: boolean } = {},
): Promise<TlsResult> {
  const server = await serve(chain);
  const port = (server.address() as AddressInfo).port;
  const socket = o.direct === true ? undefined : netConnect(port, '127.0.0.1');
  try {
    if (socket) await once(socket, 'connect');
    const r = await startTls({
      ...(socket
        ? { socket }
        : {
            direct: {
              address: '127.0.0.1',
              port,
              timeoutMs: 10_000,
              reads: new ArenaReads(),
              onSocket: () => undefined,
              onConnected: () => undefined,
            },
          }),
      host: o.host ?? HOST,
      ...(o.sni !== undefined ? { sni: o.sni } : {}),
      minVersion: 'TLSv1.2',
      trust,
      timeoutMs: 10_000,
    });
    if (r.ok) r.socket.destroy();
    return r;
  } finally {
    socket?.destroy();
    server.close();
  }
}
