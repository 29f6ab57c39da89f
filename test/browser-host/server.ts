// The browser face of the backend, for tests only (never packaged): serves the built renderer and the
// contract over a WebSocket on loopback. A random token in the page URL's fragment authenticates the
// socket (fragments are never sent in requests, so the token does not end up in any access log), and the
// Origin must be this server's: another page in the same browser cannot drive the backend.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Backend } from '../../main/services/connections/backend/index.js';
import type { WireMessage, WireRequest } from '../../main/contract/envelope.js';
import { CSP } from './csp.js';

export interface BrowserHost {
  /** Open this in the browser: it carries the token. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function startBrowserHost(opts: { backend: Backend; rendererDir: string; port?: number; log?: (m: string) => void }): Promise<BrowserHost> {
  const token = randomBytes(24).toString('base64url');
  const log = opts.log ?? (() => {});
  const server = createServer((req, res) => void serveStatic(opts.rendererDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', origin);
    if (u.pathname !== '/ws' || req.headers.origin !== origin || !sameToken(u.searchParams.get('token') ?? '', token)) {
      log(`refused a WebSocket from origin ${String(req.headers.origin)}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.backend, log));
  });

  return {
    url: `${origin}/#token=${token}`,
    origin,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveSocket(ws: WebSocket, backend: Backend, log: (m: string) => void): void {
  // The socket was authenticated at upgrade: every request on it comes from the trusted page.
  const dispatch = backend.dispatcher<WebSocket>({ isTrustedSender: (s) => s === ws, onInternalError: (c, e) => log(`${c}: ${String(e)}`) });
  const send = (m: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const stop = backend.subscribe((m) => send({ type: 'event', event: m.event, data: m.data }));
  ws.on('close', stop);
  ws.on('message', (raw) => {
    let req: WireRequest;
    try {
      req = JSON.parse(raw.toString()) as WireRequest;
    } catch {
      return;
    }
    if (typeof req !== 'object' || req === null || typeof req.id !== 'number') return;
    void dispatch(ws, req.channel, req.payload).then((r) => send({ type: 'response', id: req.id, ...r }));
  });
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const rel = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^([/\\])+/, '');
  const file = join(root, rel);
  if (!file.startsWith(root + sep) || req.method !== 'GET') {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
