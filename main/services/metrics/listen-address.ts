// Where the metrics endpoint listens. Loopback only unless the caller says otherwise: the numbers
// tell an onlooker when the tunnel is up and how much flows through it.
import { parseIp } from '../../engine/addresses.js';

export interface MetricsListen {
  readonly host: string;
  readonly port: number;
}

export type ListenParse =
  | { readonly ok: true; readonly listen: MetricsListen }
  /** `remote`: a valid address refused only because it is not loopback. */
  | { readonly ok: false; readonly message: string; readonly remote?: true };

export const DEFAULT_METRICS_PORT = 9464;

/** "127.0.0.1:9464", "[::1]:9464", "localhost:9464", or a bare port (then 127.0.0.1). */
export function parseMetricsListen(text: string, allowRemote: boolean): ListenParse {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]\s]+):(\d+)$/.exec(text) ?? /^()(\d+)$/.exec(text);
  if (!m) return { ok: false, message: `"${text}" is not host:port (e.g. 127.0.0.1:${DEFAULT_METRICS_PORT})` };
  const host = m[1] === '' || m[1] === undefined ? '127.0.0.1' : m[1];
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { ok: false, message: `port ${m[2]} is out of range (1-65535)` };
  const ip = host === 'localhost' ? parseIp('127.0.0.1') : parseIp(host);
  if (!ip) return { ok: false, message: `"${host}" is not an IP address (use 127.0.0.1, ::1 or localhost)` };
  if (!allowRemote && !isLoopback(ip.family, ip.value)) {
    return {
      ok: false,
      message: `${host} is not a loopback address: anyone who can reach it could watch this tunnel. Use 127.0.0.1 or ::1.`,
      remote: true,
    };
  }
  return { ok: true, listen: { host: host === 'localhost' ? '127.0.0.1' : host, port } };
}

function isLoopback(family: 4 | 6, value: bigint): boolean {
  return family === 4 ? value >> 24n === 127n : value === 1n;
}
