// The control socket of one running tunnel: <runtime dir>/<pid>.sock (<pid>-<slot>.sock for the second
// and later sessions of a `causeway connect A B …`), mode 0600, removed on close.
// A `disconnect` request starts the same teardown as Ctrl-C and is answered when close() runs, that is
// once the routes and DNS are undone, so the asking process can tell the user it is really over.
import { chmodSync, lchownSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { controlRequestSchema, MAX_LINE_BYTES, type ControlResponse, type TunnelStatus } from './control-protocol.js';
import type { Owner } from './runtime-dir.js';

export interface ControlHandlers {
  status(): TunnelStatus;
  /** Begins the teardown; the answer waits for close(). */
  requestStop(): void;
}

export type ControlServerResult =
  { readonly ok: true; readonly server: ControlServer } | { readonly ok: false; readonly message: string };

export function socketPathFor(dir: string, pid: number, slot = 0): string {
  return join(dir, slot === 0 ? `${pid}.sock` : `${pid}-${slot}.sock`);
}

export class ControlServer {
  private readonly waiting = new Set<Socket>();
  private readonly clients = new Set<Socket>();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly server: Server,
    private readonly name: string,
  ) {}

  /** `dir` must already be checked (ensureRuntimeDir); `owner` gets the socket when it is not us. */
  static open(
    dir: string,
    opts: { pid: number; slot?: number; name: string; owner: Owner; selfUid: number },
    handlers: ControlHandlers,
  ): Promise<ControlServerResult> {
    const path = socketPathFor(dir, opts.pid, opts.slot);
    // Our pid (and slot in it) is unique among live processes: a file with it is a leftover of a dead one.
    try {
      unlinkSync(path);
    } catch {
      /* usually absent */
    }
    const server = createServer();
    const control = new ControlServer(path, server, opts.name);
    server.on('connection', (s) => control.serve(s, handlers));
    return new Promise((resolve) => {
      server.once('error', (e) => resolve({ ok: false, message: `cannot listen on ${path}: ${e.message}` }));
      server.listen(path, () => {
        try {
          // The 0700 directory already keeps others out; 0600 says the same on the socket itself.
          chmodSync(path, 0o600);
          if (opts.owner.uid !== opts.selfUid) lchownSync(path, opts.owner.uid, opts.owner.gid);
        } catch (e) {
          server.close();
          resolve({ ok: false, message: `cannot secure ${path}: ${(e as Error).message}` });
          return;
        }
        resolve({ ok: true, server: control });
      });
    });
  }

  /** Answers pending disconnects, stops listening and removes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.waiting) answer(s, { reply: 'disconnected', name: this.name });
    this.waiting.clear();
    for (const s of this.clients) s.destroySoon();
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket, handlers: ControlHandlers): void {
    this.clients.add(socket);
    socket.on('close', () => {
      this.clients.delete(socket);
      this.waiting.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    let buffered = '';
    let handled = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (handled) return;
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl === -1) {
        if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) socket.destroy();
        return;
      }
      handled = true;
      this.handle(socket, buffered.slice(0, nl), handlers);
    });
  }

  private handle(socket: Socket, line: string, handlers: ControlHandlers): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return answer(socket, { reply: 'error', message: 'the request is not JSON' });
    }
    const req = controlRequestSchema.safeParse(parsed);
    if (!req.success) return answer(socket, { reply: 'error', message: 'unknown request' });
    switch (req.data.verb) {
      case 'status':
        return answer(socket, { reply: 'status', tunnel: handlers.status() });
      case 'disconnect':
        if (this.closed) return answer(socket, { reply: 'disconnected', name: this.name });
        this.waiting.add(socket);
        handlers.requestStop();
        return;
    }
  }
}

function answer(socket: Socket, response: ControlResponse): void {
  socket.end(JSON.stringify(response) + '\n');
}
