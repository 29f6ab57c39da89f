// The TCP connection's destination (the server, or the proxy when there is one), resolved once so
// the caller can keep exactly that address outside the tunnel and have the session dial it.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SessionConfig } from '../config.js';
import { failure, type SessionFailure } from '../failure.js';

export type ResolvedServer = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly failure: SessionFailure };

export async function resolveServerAddress(config: SessionConfig): Promise<ResolvedServer> {
  const target = config.proxy ?? config;
  if (isIP(target.host) !== 0) return { ok: true, address: target.host };
  try {
    return { ok: true, address: (await lookup(target.host)).address };
  } catch (e) {
    return { ok: false, failure: failure('tcp', 'network-unreachable', `The host name ${target.host} could not be resolved.`, { detail: String(e) }) };
  }
}
