// The IPv4 gateways of this computer's own routes, as the kernel has them when an attempt starts:
// the router of the LAN (and any other next hop). IPCP must not hand one of them to the tunnel: as
// our address, we would answer for the router; as the server's end, the point-to-point route would
// pull the router (and so the default route and the SSTP connection itself) into the tunnel.
//
// Read from /proc/net/route, which any user may read and which is per network namespace (the one
// the engine runs in), instead of `ip route`: no process to spawn, no root.
import { readFile } from 'node:fs/promises';

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;

/**
 * The gateways of /proc/net/route's text (main table, IPv4): each route's Gateway column, a 32-bit
 * address in the kernel's byte order (little-endian on every architecture we ship), for routes that
 * are up and go through a gateway. Lines that do not parse are skipped.
 */
export function parseProcNetRoute(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const gateway = cols[2];
    const flags = Number.parseInt(cols[3] ?? '', 16);
    if (gateway === undefined || !/^[0-9A-Fa-f]{8}$/.test(gateway) || !Number.isInteger(flags)) continue;
    if ((flags & (RTF_UP | RTF_GATEWAY)) !== (RTF_UP | RTF_GATEWAY)) continue;
    const n = Number.parseInt(gateway, 16);
    if (n === 0) continue;
    out.add([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.'));
  }
  return [...out];
}

/** This namespace's IPv4 gateways now; none when the table cannot be read (not Linux, no /proc). */
export async function readLanGateways(path = '/proc/net/route'): Promise<string[]> {
  try {
    return parseProcNetRoute(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}
