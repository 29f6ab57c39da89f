// The browser face of the backend: serves the built renderer and the contract over a WebSocket on
// loopback. A random token in the page URL's fragment authenticates the socket (fragments are never sent
// in requests, so the token does not end up in any access log), and the Origin must be this server's:
// another page in the same browser cannot drive the backend. The Host header must name this server too,
// so a DNS-rebinding page cannot even read the static files. Hostile input gets a 4xx or a WebSocket
// close with a policy code; nothing a client sends can throw out of a handler and end the process.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { MainBackend } from '../backend/index.js';
import type { WireMessage } from '../contract/envelope.js';
import { browserHostCsp, withMetaPolicy } from '../app/csp.js';
import { resolveStaticPath } from './static-path.js';

export interface BrowserHost {
  /** Open this in the browser: it carries the token. */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

export interface BrowserHostOptions {
  readonly backend: MainBackend;
  readonly rendererDir: string;
  /** 0 or absent: a free port. */
  readonly port?: number;
  readonly log?: (m: string) => void;
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

/** Larger than any request the contract has (an imported file, a CA certificate); ws closes with 1009 above it. */
const MAX_FRAME = 2 * 1024 * 1024;
/** RFC 6455: "a message that violates its policy". */
const POLICY_VIOLATION = 1008;

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(24).toString('base64url');
  const log = opts.log ?? (() => {});
  const sockets = new Set<Socket>();
  // Filled in once the port is known (no request can arrive before that).
  let hosts: ReadonlySet<string> = new Set();
  let csp = browserHostCsp(0);
  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    serveStatic(opts.rendererDir, hosts, csp, req, res).catch((e: unknown) => {
      log(`static: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Loopback only, and a free port unless one is asked for.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  // Only the address the URL names: the WebSocket's Origin check needs the page on exactly that origin.
  hosts = new Set([`127.0.0.1:${port}`]);
  csp = browserHostCsp(port);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('error', (e) => log(`server: ${String(e)}`));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset mid-handshake must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    const refused = refusal(req, hosts, origin, token);
    if (refused) {
      log(`refused a WebSocket (${refused.why}) from origin ${JSON.stringify(String(req.headers.origin ?? ''))}`);
      socket.end(
        `HTTP/1.1 ${refused.status} ${refused.status === 403 ? 'Forbidden' : refused.status === 404 ? 'Not Found' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    // handleUpgrade answers 400 itself to a bad key or version.
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.backend, log));
  });
  wss.on('error', (e) => log(`websocket server: ${String(e)}`));

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    close() {
      closing ??= (async () => {
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections would hold close() open: end them.
        for (const s of sockets) s.destroy();
        await closed;
      })();
      return closing;
    },
  };
}

function refusal(
  req: IncomingMessage,
  hosts: ReadonlySet<string>,
  origin: string,
  token: string,
): { status: 400 | 403 | 404; why: string } | undefined {
  const raw = req.url ?? '';
  if (!raw.startsWith('/') || raw.length > 4096) return { status: 400, why: 'bad path' };
  let u: URL;
  try {
    u = new URL(raw, origin);
  } catch {
    return { status: 400, why: 'bad path' };
  }
  if (u.pathname !== '/ws') return { status: 404, why: 'not /ws' };
  if (!hosts.has(req.headers.host ?? '')) return { status: 403, why: 'wrong Host' };
  if (req.headers.origin !== origin) return { status: 403, why: 'wrong Origin' };
  if (!sameToken(u.searchParams.get('token') ?? '', token)) return { status: 403, why: 'bad token' };
  return undefined;
}

function serveSocket(ws: WebSocket, backend: MainBackend, log: (m: string) => void): void {
  // The socket was authenticated at upgrade: every request on it comes from the trusted page.
  const dispatch = backend.dispatcher<WebSocket>({
    isTrustedSender: (s) => s === ws,
    onInternalError: (c, e) => log(`${c}: ${String(e)}`),
  });
  const send = (m: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const stop = backend.subscribe((m) => send({ type: 'event', event: m.event, data: m.data }));
  ws.on('close', stop);
  // Bad frames (invalid UTF-8, reserved bits, too large) are closed by ws with 1007/1002/1009; the error
  // event comes too and must be handled or it would end the process.
  ws.on('error', (e) => log(`websocket: ${e.message}`));
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const req = isBinary ? undefined : parseRequest(raw);
    if (!req) {
      // The page never sends these: whatever did is not our renderer, so it loses the socket.
      ws.close(POLICY_VIOLATION, 'requests are JSON {id, channel, payload}');
      return;
    }
    dispatch(ws, req.channel, req.payload).then(
      (r) => send({ type: 'response', id: req.id, ...r }),
      (e: unknown) => log(`dispatch: ${String(e)}`),
    );
  });
}

/** A request frame, or undefined when it is not one (the dispatcher validates channel and payload). */
function parseRequest(raw: RawData): { id: number; channel: unknown; payload: unknown } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(
      Buffer.isBuffer(raw)
        ? raw.toString('utf8')
        : Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)]).toString('utf8'),
    );
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r['id'] !== 'number' || !Number.isSafeInteger(r['id'])) return undefined;
  return { id: r['id'], channel: r['channel'], payload: r['payload'] };
}

async function serveStatic(
  root: string,
  hosts: ReadonlySet<string>,
  csp: ReturnType<typeof browserHostCsp>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!hosts.has(req.headers.host ?? '')) return void res.writeHead(421).end();
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
  const target = resolveStaticPath(root, req.url ?? '');
  if (!target.ok) return void res.writeHead(target.status).end();
  const info = await stat(target.file).catch(() => undefined);
  if (!info?.isFile()) return void res.writeHead(404).end();
  const type = extname(target.file);
  const raw = await readFile(target.file);
  // The built page's meta allows no connection (it is the Electron window's policy): here the page
  // needs this host's socket.
  const body = type === '.html' ? Buffer.from(withMetaPolicy(raw.toString('utf8'), csp.meta)) : raw;
  res.writeHead(200, {
    'content-type': TYPES[type] ?? 'application/octet-stream',
    'content-length': body.length,
    'content-security-policy': csp.header,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
