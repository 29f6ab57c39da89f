// IPCP configuration option numbers (RFC 1332 §3, RFC 1877) and their pppd-style trace text.
import type { ConfigOption } from './options.js';

export const IPCP_ADDRESSES = 1; // deprecated (RFC 1332 §3.1)
export const IPCP_COMPRESSION = 2;
export const IPCP_ADDRESS = 3;
export const IPCP_PRIMARY_DNS = 129;
export const IPCP_PRIMARY_NBNS = 130;
export const IPCP_SECONDARY_DNS = 131;
export const IPCP_SECONDARY_NBNS = 132;

/** Dotted quad of a 4-byte address, or undefined when the data is not 4 bytes. */
export function ipv4Of(o: ConfigOption): string | undefined {
  if (o.data.length !== 4) return undefined;
  return `${o.data[0]}.${o.data[1]}.${o.data[2]}.${o.data[3]}`;
}

export function ipv4Option(type: number, address: Buffer): ConfigOption {
  return { type, data: Buffer.from(address) };
}

export function formatIpcpOption(o: ConfigOption): string | undefined {
  const ip = ipv4Of(o);
  switch (o.type) {
    case IPCP_ADDRESS:
      return ip === undefined ? undefined : `addr ${ip}`;
    case IPCP_PRIMARY_DNS:
      return ip === undefined ? undefined : `ms-dns1 ${ip}`;
    case IPCP_SECONDARY_DNS:
      return ip === undefined ? undefined : `ms-dns2 ${ip}`;
    case IPCP_PRIMARY_NBNS:
    case IPCP_SECONDARY_NBNS:
      return ip === undefined ? undefined : `ms-wins ${ip}`;
    case IPCP_COMPRESSION:
      return o.data.length >= 2
        ? `compress 0x${o.data.readUInt16BE(0).toString(16)}${o.data.length > 2 ? ` ${o.data.subarray(2).toString('hex')}` : ''}`
        : undefined;
    case IPCP_ADDRESSES:
      return o.data.length === 8
        ? `addrs ${ipv4Of({ type: 0, data: o.data.subarray(0, 4) })} ${ipv4Of({ type: 0, data: o.data.subarray(4) })}`
        : undefined;
    default:
      return undefined;
  }
}
