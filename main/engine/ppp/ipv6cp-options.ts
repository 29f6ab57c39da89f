// IPv6CP configuration options (RFC 5072 §4) and their pppd-style trace text.
import type { ConfigOption } from './options.js';

export const IPV6CP_INTERFACE_ID = 1;
export const IPV6CP_COMPRESSION = 2;
export const INTERFACE_ID_BYTES = 8;

/** An interface identifier as the last four groups of an IPv6 address, e.g. "21a:2bff:fe3c:4d5e". */
export function formatInterfaceId(id: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i + 1 < id.length; i += 2) groups.push(id.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export function formatIpv6cpOption(o: ConfigOption): string | undefined {
  switch (o.type) {
    case IPV6CP_INTERFACE_ID:
      return o.data.length === INTERFACE_ID_BYTES ? `addr fe80::${formatInterfaceId(o.data)}` : undefined;
    case IPV6CP_COMPRESSION:
      return o.data.length >= 2 ? `compress 0x${o.data.readUInt16BE(0).toString(16)}` : undefined;
    default:
      return undefined;
  }
}
