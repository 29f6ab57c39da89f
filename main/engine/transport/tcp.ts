// Opening the TCP connection. Injected into the session so tests (and a future platform) can swap it.
import { connect as netConnect, type Socket } from 'node:net';

export type TcpConnectResult =
  | { readonly ok: true; readonly socket: Socket }
  | { readonly ok: false; readonly code: string; readonly message: string };

export type TcpConnector = (host: string, port: number, timeoutMs: number) => Promise<TcpConnectResult>;

export const connectTcp: TcpConnector = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = netConnect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', message: `no answer from ${host}:${port} within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ ok: true, socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, code: err.code ?? 'ERROR', message: err.message });
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
