// Shared set-up for the engine's integration tests against the strict peer: a session config that
// trusts the peer by pin, short timers, a transcript of the client's log for failure messages.
import type { AuthMethod, ClientCertificate, SessionConfig, TrustPolicy } from '../../../main/engine/config.js';
import type { SessionFailure } from '../../../main/engine/failure.js';
import type { LogEntry } from '../../../main/engine/log.js';
import { SstpSession, type ConnectOutcome, type SessionDeps, type SessionEvent } from '../../../main/engine/session.js';
import type { StrictPeer } from '../../peers/strict-sstp-server.js';

export interface ClientOptions {
  readonly user?: string;
  readonly password?: string;
  readonly authMethods?: readonly AuthMethod[];
  readonly trust?: TrustPolicy;
  readonly ipv6?: boolean;
  readonly mru?: number;
  readonly host?: string;
  /** The address to dial (SessionConfig.address); host then only names the server. */
  readonly address?: string;
  readonly sni?: string;
  readonly clientCertificate?: ClientCertificate;
  readonly deps?: SessionDeps;
  readonly authWaitMs?: number;
}

export interface Client {
  readonly session: SstpSession;
  readonly events: SessionEvent[];
  readonly logs: LogEntry[];
  /** The client's own log, for assertion messages. */
  transcript(): string;
}

/** Timers short enough for tests; real defaults are tens of seconds. */
export const FAST_TIMERS: SessionDeps = {
  sstpTimers: { abortMs: 200, disconnectMs: 500, negotiationMs: 5_000 },
  negotiationTimeoutMs: 8_000,
};

export function sessionConfig(peer: StrictPeer, o: ClientOptions = {}): SessionConfig {
  return {
    host: o.host ?? peer.host,
    port: peer.port,
    tlsMin: 'TLSv1.2',
    trust: o.trust ?? { pinSha256: peer.certSha256 },
    credentials: { username: o.user ?? 'testuser', password: o.password ?? 'testpass' },
    authMethods: o.authMethods ?? ['mschapv2'],
    ipv6: o.ipv6 ?? false,
    mru: o.mru ?? 1500,
    ...(o.sni !== undefined ? { sni: o.sni } : {}),
    ...(o.address !== undefined ? { address: o.address } : {}),
    ...(o.clientCertificate ? { clientCertificate: o.clientCertificate } : {}),
    ...(o.authWaitMs !== undefined ? { authWaitMs: o.authWaitMs } : {}),
  };
}

export function newClient(peer: StrictPeer, o: ClientOptions = {}): Client {
  const logs: LogEntry[] = [];
  const events: SessionEvent[] = [];
  const deps: SessionDeps = { ...FAST_TIMERS, ...o.deps, log: (e) => logs.push(e) };
  const session = new SstpSession(sessionConfig(peer, o), deps);
  session.onEvent((e) => events.push(e));
  return {
    session,
    events,
    logs,
    transcript: () => logs.map((l) => `${l.phase} ${l.level} ${l.message}`).join('\n'),
  };
}

export function explain(peer: StrictPeer, client: Client, outcome?: ConnectOutcome): string {
  const o = outcome === undefined ? '' : outcome.ok ? 'outcome: ok\n' : `outcome: ${JSON.stringify(outcome.failure)}\n`;
  return `${o}peer violations: ${JSON.stringify(peer.violations)}\npeer: ${peer.transcript()}\nclient:\n${client.transcript()}`;
}

/** The failure of an outcome that must have failed (fails the test with both transcripts otherwise). */
export function failureOf(peer: StrictPeer, client: Client, outcome: ConnectOutcome): SessionFailure {
  if (outcome.ok) throw new Error(`expected the connection to fail\n${explain(peer, client, outcome)}`);
  return outcome.failure;
}

/** Colon-separated upper-case form the engine reports fingerprints in. */
export function colonFingerprint(hexDigest: string): string {
  return hexDigest.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout', 'ProcessWrap']);

/**
 * Waits until no sockets, servers, timers or child processes are left (beyond the runner's own),
 * and fails listing them otherwise: a test must leave nothing that keeps the process alive. The
 * wait is a grace period for closes already under way, not a timing assertion.
 */
export async function assertNothingLeftOpen(graceMs = 3_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  let left: string[] = [];
  for (;;) {
    left = process.getActiveResourcesInfo().filter((r) => WATCHED.has(r));
    // Our own polling timer below is not yet armed when this runs, so any Timeout is someone else's.
    if (left.length === 0 || Date.now() > deadline) break;
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setTimeout(r, 20));
  }
  if (left.length > 0) throw new Error(`resources still open after the test: ${left.join(', ')}`);
}

/** Runs `body` with a started peer and always stops it. */
export async function withPeer<T>(peer: StrictPeer, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await peer.stop();
  }
}

/** The client's first event of `type`, already emitted or still to come (timeout only as a safety net). */
export function waitForSessionEvent<T extends SessionEvent['type']>(
  client: Client,
  type: T,
  timeoutMs = 10_000,
): Promise<Extract<SessionEvent, { type: T }>> {
  type E = Extract<SessionEvent, { type: T }>;
  const seen = client.events.find((e): e is E => e.type === type);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the session emitted no ${type} event within ${timeoutMs} ms\n${client.transcript()}`));
    }, timeoutMs);
    const off = client.session.onEvent((e) => {
      if (e.type !== type) return;
      clearTimeout(timer);
      off();
      resolve(e as E);
    });
  });
}
