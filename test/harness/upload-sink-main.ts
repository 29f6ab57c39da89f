// The upload sink's process (started by upload-sink.ts inside a network namespace): an HTTP server,
// and optionally HTTPS, that reads every request body to the end, hashes it, and answers with
// {"bytes":N,"sha256":"…"} — so an upload is both timed (by the client) and checked byte for byte.
//
// usage: node --import tsx test/harness/upload-sink-main.ts <port> [<tls port> <cert.pem> <key.pem>]
// stdout: one JSON line {"event":"listening"} once every port is bound. Exits on SIGTERM or when
// stdin closes (its parent went away).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

const [portText, tlsPortText, certPath, keyPath] = process.argv.slice(2);

function handle(req: IncomingMessage, res: ServerResponse): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (d: Buffer) => {
    bytes += d.length;
    hash.update(d);
  });
  req.on('end', () => {
    const body = JSON.stringify({ bytes, sha256: hash.digest('hex') });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  req.on('error', () => res.destroy());
}

function listen(server: Server, port: number): Promise<void> {
  // A 200 MB upload over a slow tunnel outlasts none of these, but the defaults would cut a body
  // that arrives slower than Node's request timeout.
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
}

const servers: Server[] = [createServer(handle)];
const ports = [Number(portText)];
if (tlsPortText !== undefined && certPath !== undefined && keyPath !== undefined) {
  servers.push(createTlsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, handle));
  ports.push(Number(tlsPortText));
}
await Promise.all(servers.map((s, i) => listen(s, ports[i] ?? 0)));
process.stdout.write(`${JSON.stringify({ event: 'listening', ports })}\n`);

const stop = (): void => {
  for (const s of servers) s.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
