// Where the connection may go while the kill switch blocks: the proxy's addresses and port when one is
// used (the servers are never dialled then), else every address of every server with its port.
import type { ServerEndpoint } from '../../engine/failover.js';
import { LIMITS } from '../../helper/protocol.js';

export interface KillSwitchTarget {
  readonly address: string;
  readonly port: number;
}

export function killSwitchEndpoints(
  protectedAddresses: readonly string[],
  servers: readonly ServerEndpoint[],
  firstPort: number,
): KillSwitchTarget[] {
  const out = new Map<string, KillSwitchTarget>();
  const add = (address: string, port: number) => out.set(`${address}|${port}`, { address, port });
  for (const a of protectedAddresses) add(a, firstPort);
  for (const s of servers) for (const a of s.addresses ?? []) add(a, s.port);
  return [...out.values()].slice(0, LIMITS.maxServerAddresses);
}
