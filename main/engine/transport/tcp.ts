// Opening the TCP connection. Injected into the session so tests (and a future platform) can swap it.
import { connect as netConnect, type Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { raceConnections, type AttemptReport } from './happy-eyeballs.js';

export type TcpConnectResult =
  | { readonly ok: true; readonly socket: Socket }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** `signal` (optional) cancels the attempt: the socket is destroyed and the result is ECANCELED. */
export type TcpConnector = (
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<TcpConnectResult>;

export const connectTcp: TcpConnector = (host, port, timeoutMs, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve({ ok: false, code: 'ECANCELED', message: 'cancelled' });
      return;
    }
    // A name (no address given) still gets Node's own family racing; addresses come raced by happy-eyeballs.ts.
    const socket = netConnect({ host, port, autoSelectFamily: true });
    socket.setNoDelay(true);
    const settle = (r: TcpConnectResult) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => {
      socket.destroy();
      settle({ ok: false, code: 'ECANCELED', message: 'cancelled' });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      socket.destroy();
      settle({ ok: false, code: 'ETIMEDOUT', message: `no answer from ${host}:${port} within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      settle({ ok: true, socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      settle({ ok: false, code: err.code ?? 'ERROR', message: err.message });
    });
  });

/** A sentence for a person about a TCP connect error code. */
export function explainConnectError(code: string, host: string, port: number): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `${host}:${port} refused the connection: no SSTP server listens there. Check the server address and port.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host name ${host} could not be resolved. Check the spelling and your DNS.`;
    case 'ETIMEDOUT':
      return `${host}:${port} did not answer. Check the address, your network, and any firewall in between.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} is unreachable from this machine: there is no route to it. Check your network connection.`;
    default:
      return `Could not connect to ${host}:${port} (${code}). Check the server address and your network.`;
  }
}

export type DialResult =
  | {
      readonly ok: true;
      readonly socket: Socket;
      readonly address: string;
      readonly attempts: readonly AttemptReport[];
    }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly attempts: readonly AttemptReport[];
    };

/**
 * Connects to the first of `addresses` to answer (happy eyeballs when there are several). One address
 * is dialled as before, with the connector's own timeout and nothing on the clock.
 */
export async function dialAddresses(
  connector: TcpConnector,
  addresses: readonly string[],
  port: number,
  timeoutMs: number,
  clock: Clock,
): Promise<DialResult> {
  const only = addresses.length === 1 ? addresses[0] : undefined;
  if (only !== undefined) {
    const r = await connector(only, port, timeoutMs);
    return r.ok ? { ...r, address: only, attempts: [] } : { ...r, attempts: [] };
  }
  return raceConnections<Socket>({
    addresses,
    attempt: (address, signal) => connector(address, port, timeoutMs, signal),
    clock,
    timeoutMs,
    discard: (socket) => socket.destroy(),
  });
}
