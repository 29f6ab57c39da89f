// What the server did, read from the engine's own trace lines (pppd-style, see engine/ppp/trace.ts and
// engine/sstp/trace.ts): the doctor learns it without any hook into the protocol code, so a trace
// saved by anyone (a log file, a report) can be read back the same way.
import type { LogEntry } from '../../engine/log.js';

export interface Observations {
  /** LCP options the server proposed in its first Configure-Request, as traced ('mru 1500', 'auth eap'). */
  serverLcpOptions: string[];
  /** The authentication protocols the server proposed, in order ('eap', 'chap MS-v2', 'pap'). */
  serverAuthOrder: string[];
  /** Our LCP options the server Configure-Rejected ('magic', 'pfc'…). */
  rejectedByServer: string[];
  /** The MRU the server Configure-Nak'd ours to, if it did. */
  nakMru?: number;
  /** The MRU the server asked for itself. */
  serverMru?: number;
  /** Printable data of the server's LCP Echo-Requests (SoftEther signs them). */
  echoData?: string;
  /** Crypto binding hashes offered in CALL_CONNECT_ACK ('SHA256', 'SHA1|SHA256'). */
  offeredHashes?: string;
  /** The name in the server's CHAP / MS-CHAPv2 challenge. */
  challengeName?: string;
  /** Protocols the server Protocol-Rejected ('IPV6CP'). */
  protocolRejected: string[];
  /** IPCP options the server Configure-Rejected ('ms-dns2'). */
  ipcpRejected: string[];
  /** The phase the last trace line belonged to (where a dropped connection was). */
  lastPhase?: string;
}

export function emptyObservations(): Observations {
  return { serverLcpOptions: [], serverAuthOrder: [], rejectedByServer: [], protocolRejected: [], ipcpRejected: [] };
}

const OPTIONS = /<([^>]*)>/g;
const optionsOf = (line: string): string[] => [...line.matchAll(OPTIONS)].map((m) => m[1] ?? '');
const optionName = (o: string): string => o.split(' ')[0] ?? o;

/** Folds one trace line into the observations. Unknown lines are ignored; nothing here throws. */
export function observe(o: Observations, e: LogEntry): void {
  const m = e.message;
  if (e.phase !== 'disconnect') o.lastPhase = e.phase;
  if (m.startsWith('rcvd [LCP ConfReq')) {
    const opts = optionsOf(m);
    if (o.serverLcpOptions.length === 0) o.serverLcpOptions = opts;
    for (const opt of opts) {
      if (opt.startsWith('auth ')) {
        const method = opt.slice(5);
        if (!o.serverAuthOrder.includes(method)) o.serverAuthOrder.push(method);
      }
      const mru = /^mru (\d+)$/.exec(opt);
      if (mru && o.serverMru === undefined) o.serverMru = Number(mru[1]);
    }
  } else if (m.startsWith('rcvd [LCP ConfRej')) {
    for (const opt of optionsOf(m))
      if (!o.rejectedByServer.includes(optionName(opt))) o.rejectedByServer.push(optionName(opt));
  } else if (m.startsWith('rcvd [LCP ConfNak')) {
    for (const opt of optionsOf(m)) {
      const mru = /^mru (\d+)$/.exec(opt);
      if (mru) o.nakMru = Number(mru[1]);
    }
  } else if (m.startsWith('rcvd [LCP EchoReq') && o.echoData === undefined) {
    const hex = /magic=0x[0-9a-f]+ ((?:[0-9a-f]{2} ?)+)\]$/.exec(m);
    if (hex?.[1]) o.echoData = printable(Buffer.from(hex[1].replace(/ /g, ''), 'hex'));
  } else if (m.startsWith('recv [SSTP CALL_CONNECT_ACK')) {
    const h = /hashes=(\S+)/.exec(m);
    if (h?.[1]) o.offeredHashes = h[1];
  } else if (/^rcvd \[(MSCHAPv2|CHAP) Challenge/.test(m)) {
    const n = /name="([^"]*)"/.exec(m);
    if (n?.[1] !== undefined) o.challengeName = n[1];
  } else if (/^rcvd \[LCP \w*Rej\w* .*proto=(\S+)\]/.test(m)) {
    const p = /proto=(\S+)\]/.exec(m)?.[1];
    if (p && !o.protocolRejected.includes(p)) o.protocolRejected.push(p);
  } else if (m.startsWith('rcvd [IPCP ConfRej')) {
    for (const opt of optionsOf(m)) if (!o.ipcpRejected.includes(optionName(opt))) o.ipcpRejected.push(optionName(opt));
  }
}

function printable(b: Buffer): string {
  return b
    .toString('latin1')
    .replace(/\0+$/, '')
    .replace(/[^\x20-\x7e]/g, '.');
}
