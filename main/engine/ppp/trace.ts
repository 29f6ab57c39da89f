// pppd-style trace lines for the debug log: `send [LCP ConfReq id=0x1 <mru 1500> <magic 0x1a2b3c4d>]`.
// Authentication packets show only their code, id and length: their payloads carry names,
// challenges and responses that have no place in a log. IP packets show only their length.
import {
  PPP_CHAP,
  PPP_EAP,
  PPP_IPCP,
  PPP_IPV4,
  PPP_IPV6,
  PPP_IPV6CP,
  PPP_LCP,
  PPP_PAP,
  protocolName,
} from './protocols.js';
import { formatIpcpOption } from './ipcp-options.js';
import { formatIpv6cpOption } from './ipv6cp-options.js';
import { formatLcpOption } from './lcp-options.js';
import type { ConfigOption } from './options.js';
import { codeName, decodeControl, decodeMessage } from './packet.js';
import type { CodeSet } from './packet.js';
import { describeDecodeError } from '../bytes.js';

export type Direction = 'send' | 'rcvd';

type OptionFormatter = (o: ConfigOption) => string | undefined;

const CONTROL_PROTOCOLS = new Map<number, { codes: CodeSet; format: OptionFormatter }>([
  [PPP_LCP, { codes: 'lcp', format: formatLcpOption }],
  [PPP_IPCP, { codes: 'ncp', format: formatIpcpOption }],
  [PPP_IPV6CP, { codes: 'ncp', format: formatIpv6cpOption }],
]);

const AUTH_CODES = new Map<number, readonly string[]>([
  [PPP_PAP, ['', 'AuthReq', 'AuthAck', 'AuthNak']],
  [PPP_CHAP, ['', 'Challenge', 'Response', 'Success', 'Failure']],
  [PPP_EAP, ['', 'Request', 'Response', 'Success', 'Failure']],
]);

export function traceLine(direction: Direction, protocol: number, info: Buffer): string {
  return `${direction} [${describePacket(protocol, info)}]`;
}

/** The bracketed part of a trace line. Never throws, whatever the bytes. */
export function describePacket(protocol: number, info: Buffer): string {
  const name = protocolName(protocol);
  if (protocol === PPP_IPV4 || protocol === PPP_IPV6) return `${name} len=${info.length}`;
  const auth = AUTH_CODES.get(protocol);
  if (auth) return describeAuth(name, auth, info);
  const control = CONTROL_PROTOCOLS.get(protocol);
  // Other control protocols in the 0x8000-0xbfff / 0xc000-0xffff ranges (CCP, …) share the envelope.
  if (control || protocol >= 0x8000)
    return describeControl(name, info, control?.codes ?? 'ncp', control?.format ?? (() => undefined));
  return `${name} len=${info.length}`;
}

function describeAuth(name: string, codes: readonly string[], info: Buffer): string {
  if (info.length < 4) return `${name} <truncated ${info.length} bytes>`;
  const code = info[0] ?? 0;
  const label = codes[code] || `code=0x${code.toString(16)}`;
  return `${name} ${label} id=0x${(info[1] ?? 0).toString(16)} len=${info.readUInt16BE(2)}`;
}

function describeControl(name: string, info: Buffer, codes: CodeSet, format: OptionFormatter): string {
  const what = `${name} packet`;
  const packet = decodeControl(info, what);
  if (!packet.ok) return `${name} <${describeDecodeError(packet.error)}> ${hexBytes(info)}`;
  const p = packet.value;
  const head = `${name} ${codeName(p.code, codes)} id=0x${p.id.toString(16)}`;
  const msg = decodeMessage(p, codes, what);
  if (!msg.ok) return `${head} <${describeDecodeError(msg.error)}>`;
  const m = msg.value;
  switch (m.kind) {
    case 'configure':
      return [
        head,
        ...m.options.map((o) => `<${format(o) ?? hexBytes(Buffer.from([o.type, o.data.length + 2]), o.data)}>`),
      ].join(' ');
    case 'terminate':
      return m.data.length ? `${head} ${quote(m.data)}` : head;
    case 'code-reject':
      return m.rejected.length ? `${head} rejected=${codeName(m.rejected[0] ?? 0, codes)}` : head;
    case 'protocol-reject':
      return `${head} proto=${protocolName(m.protocol)}`;
    case 'echo':
      return `${head} magic=0x${m.magic.toString(16)}${m.data.length ? ` ${quote(m.data)}` : ''}`;
    case 'other':
      return `${head} len=${m.data.length + 4}`;
  }
}

function hexBytes(...parts: Buffer[]): string {
  return parts
    .map((p) => p.toString('hex'))
    .join('')
    .replace(/(..)(?!$)/g, '$1 ');
}

/** Peer-supplied text (Terminate reasons, echo data): printable ASCII quoted, otherwise hex. */
function quote(data: Buffer): string {
  const shown = data.subarray(0, 64);
  const more = data.length > shown.length ? '…' : '';
  for (const b of shown) if (b < 0x20 || b > 0x7e) return `${hexBytes(shown)}${more}`;
  return `${JSON.stringify(shown.toString('latin1'))}${more}`;
}
