// The other side of the control sockets: find the tunnels that `causeway connect` processes of this
// user have up, ask them for their status, or ask one to disconnect. A socket whose process is gone
// (killed with -9, a crash) is a leftover: it is removed on sight and never reported.
import { readdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  controlResponseSchema,
  MAX_LINE_BYTES,
  type ControlRequest,
  type ControlResponse,
  type TunnelStatus,
} from './control-protocol.js';
import { processIsAlive } from '../process-alive.js';

export interface RegistryDeps {
  /** Is process `pid` alive? (kill(pid, 0) in the product.) */
  readonly alive?: (pid: number) => boolean;
  /** How long one request may take; a disconnect waits for the whole teardown. */
  readonly statusTimeoutMs?: number;
  readonly disconnectTimeoutMs?: number;
}

export interface RegisteredTunnel {
  readonly socket: string;
  readonly status: TunnelStatus;
}

export interface Listing {
  readonly tunnels: readonly RegisteredTunnel[];
  /** Sockets that answered nothing usable (a process busy or of another version), for a warning. */
  readonly problems: readonly string[];
}

export type RequestOutcome =
  | { readonly ok: true; readonly response: ControlResponse }
  | { readonly ok: false; readonly kind: 'gone' | 'timeout' | 'bad-answer'; readonly message: string };

// <pid>.sock, or <pid>-<slot>.sock for the further sessions of one process: the pid says who must be alive.
const SOCKET = /^([1-9]\d{0,9})(?:-[1-9]\d{0,3})?\.sock$/;

export async function listTunnels(dir: string, deps: RegistryDeps = {}): Promise<Listing> {
  const alive = deps.alive ?? processIsAlive;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { tunnels: [], problems: [] };
  }
  const found: (RegisteredTunnel | string | undefined)[] = await Promise.all(
    names.map(async (name) => {
      const m = SOCKET.exec(name);
      if (!m) return undefined;
      const socket = join(dir, name);
      if (!alive(Number(m[1]))) return removeStale(socket);
      const r = await request(socket, { verb: 'status' }, deps.statusTimeoutMs ?? 3_000);
      if (!r.ok) return r.kind === 'gone' ? removeStale(socket) : `${socket}: ${r.message}`;
      if (r.response.reply !== 'status') return `${socket}: unexpected answer`;
      return { socket, status: r.response.tunnel };
    }),
  );
  const tunnels = found.filter((x): x is RegisteredTunnel => typeof x === 'object');
  tunnels.sort((a, b) => a.status.startedAt - b.status.startedAt);
  return { tunnels, problems: found.filter((x): x is string => typeof x === 'string') };
}

/** Asks one tunnel to go down; resolves when it reports the teardown complete. */
export async function disconnectTunnel(socket: string, deps: RegistryDeps = {}): Promise<RequestOutcome> {
  return request(socket, { verb: 'disconnect' }, deps.disconnectTimeoutMs ?? 30_000);
}

function removeStale(socket: string): undefined {
  try {
    unlinkSync(socket);
  } catch {
    /* raced with its owner's own cleanup */
  }
  return undefined;
}

/** One request, one answer line. */
export function request(socket: string, req: ControlRequest, timeoutMs: number): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    const s = connect(socket);
    let buffered = '';
    let settled = false;
    const done = (r: RequestOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, kind: 'timeout', message: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify(req) + '\n'));
    s.on('error', (e: NodeJS.ErrnoException) => {
      // Nobody listening: the owner died between our liveness check and now, or the pid was reused.
      const gone = e.code === 'ECONNREFUSED' || e.code === 'ENOENT';
      done({ ok: false, kind: gone ? 'gone' : 'bad-answer', message: e.message });
    });
    s.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl === -1) {
        if (Buffer.byteLength(buffered) > MAX_LINE_BYTES * 16)
          done({ ok: false, kind: 'bad-answer', message: 'answer too long' });
        return;
      }
      done(parseAnswer(buffered.slice(0, nl)));
    });
    s.on('end', () => done({ ok: false, kind: 'gone', message: 'closed without an answer' }));
  });
}

function parseAnswer(line: string): RequestOutcome {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, kind: 'bad-answer', message: 'the answer is not JSON' };
  }
  const r = controlResponseSchema.safeParse(json);
  return r.success
    ? { ok: true, response: r.data }
    : { ok: false, kind: 'bad-answer', message: 'the answer does not match the protocol' };
}
