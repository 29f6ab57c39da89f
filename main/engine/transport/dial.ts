// The dialer: TCP (happy eyeballs over the candidates) → (proxy CONNECT) → TLS. Cut out of session.ts
// so the session holds no socket-opening code of its own: it is handed a Dialer (like the TCP
// connector) and reacts to a typed DialResult. The SSTP HTTP handshake that follows is bytes only,
// and the sequencer's (sequencer/sequencer.ts).
// The session keeps the phase clock and the fatal path; the dialer tells it, through DialHooks,
// when each phase starts and ends, which socket carries the connection now (so an abort mid-dial
// closes it), and asks before each step whether the session was closed meanwhile.
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../clock.js';
import type { SessionConfig } from '../config.js';
import { failure, type SessionFailure } from '../failure.js';
import type { Logger } from '../log.js';
import type { StreamTap } from '../diagnostics/stream-tap.js';
import { describeAttempts } from './happy-eyeballs.js';
import { proxyConnect } from './proxy.js';
import { connectTcp, dialAddresses, explainConnectError, type TcpConnector } from './tcp.js';
import { ArenaReads } from './read-arena.js';
import { startTls, type TlsInfo, type TlsParams, type TlsResult } from './tls.js';

export type { TlsInfo } from './tls.js';

/** The phases the dialer runs (a subset of failure.ts's Phase). */
export type DialPhase = 'tcp' | 'proxy' | 'tls';

export interface DialDeps {
  readonly clock: Clock;
  readonly log: (phase: DialPhase) => Logger;
  readonly connectTcp?: TcpConnector;
  /** Diagnostics: the TLS key log goes to it. Off when absent. */
  readonly tap?: StreamTap;
}

export interface DialHooks {
  enter(phase: DialPhase): void;
  done(phase: DialPhase): void;
  /** True once the session was closed (an abort or cancel arrived while a step was awaited). */
  cancelled(): boolean;
  /** The socket now carrying the connection: the session closes it if it aborts mid-dial. */
  socket(socket: Socket): void;
  /** The address the TCP race's winner went to. */
  dialled(address: string): void;
}

export type DialResult =
  | {
      readonly kind: 'ready';
      readonly socket: TLSSocket;
      readonly tcpSocket: Socket;
      readonly info: TlsInfo;
      /** Present when reads land in an arena (Node's onread): the socket emits no 'data' then. */
      readonly reads?: ArenaReads;
    }
  | { readonly kind: 'failed'; readonly failure: SessionFailure }
  /** The session was closed meanwhile; whatever the dialer opened is already destroyed. */
  | { readonly kind: 'cancelled' };

export type Dialer = (config: SessionConfig, deps: DialDeps, hooks: DialHooks) => Promise<DialResult>;

const CONNECT_TIMEOUT_MS = 15_000;

export const dialServer: Dialer = async (c, deps, hooks) => {
  const proxy = c.proxy;
  const tcpTarget = proxy
    ? { host: proxy.host, address: proxy.address, port: proxy.port }
    : { host: c.host, address: c.address, port: c.port };
  const dial = tcpTarget.address ?? tcpTarget.host;
  hooks.enter('tcp');
  deps
    .log('tcp')
    .info(
      `connecting to ${tcpTarget.host}:${tcpTarget.port}${dial !== tcpTarget.host ? ` at ${dial}` : ''}${proxy ? ' (proxy)' : ''}`,
    );
  // Several addresses (both families of the name): raced, IPv6 first (happy-eyeballs.ts).
  const candidates = !proxy && c.addresses !== undefined && c.addresses.length > 0 ? c.addresses : [dial];
  // One address, no proxy, our own connector: tls.connect opens the TCP connection itself, the one
  // way Node lets its reads land in our arena (tls.ts DirectTcp). Races and proxies hand TLS a socket.
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (!proxy && deps.connectTcp === undefined && only !== undefined && isIP(only) !== 0)
    return dialDirect(c, deps, hooks, only);
  const tcp = await dialAddresses(
    deps.connectTcp ?? connectTcp,
    candidates,
    tcpTarget.port,
    CONNECT_TIMEOUT_MS,
    deps.clock,
  );
  if (tcp.attempts.length > 0) deps.log('tcp').info(`happy eyeballs: ${describeAttempts(tcp.attempts)}`);
  if (tcp.ok) hooks.dialled(tcp.address);
  if (hooks.cancelled()) {
    if (tcp.ok) tcp.socket.destroy();
    return { kind: 'cancelled' };
  }
  if (!tcp.ok) {
    const message = explainConnectError(tcp.code, tcpTarget.host, tcpTarget.port);
    return {
      kind: 'failed',
      failure: proxy
        ? failure('proxy', 'proxy-failed', `The proxy could not be reached. ${message}`, { detail: tcp.code })
        : failure('tcp', 'network-unreachable', message, { detail: tcp.code }),
    };
  }
  hooks.socket(tcp.socket);
  hooks.done('tcp');

  let socket = tcp.socket;
  if (proxy) {
    hooks.enter('proxy');
    // A proxy that closes after its 407 gets the signed-in CONNECT on a new connection.
    const reopen = async (): Promise<Socket | undefined> => {
      if (hooks.cancelled()) return undefined;
      const again = await dialAddresses(
        deps.connectTcp ?? connectTcp,
        [dial],
        tcpTarget.port,
        CONNECT_TIMEOUT_MS,
        deps.clock,
      );
      if (!again.ok) return undefined;
      if (hooks.cancelled()) {
        again.socket.destroy();
        return undefined;
      }
      socket.destroy();
      socket = again.socket;
      hooks.socket(socket);
      return socket;
    };
    const r = await proxyConnect(tcp.socket, proxy, c.host, c.port, CONNECT_TIMEOUT_MS, reopen);
    // The session's abort already closed the socket (handed over above).
    if (hooks.cancelled()) return { kind: 'cancelled' };
    if (!r.ok) return { kind: 'failed', failure: failure('proxy', r.code, r.message, { detail: r.detail }) };
    socket = r.socket;
    if (r.scheme) deps.log('proxy').info(`signed in to the proxy with ${r.scheme}`);
    hooks.done('proxy');
  }

  hooks.enter('tls');
  const tls = await startTls({ socket, ...tlsParams(c, deps) });
  if (hooks.cancelled()) {
    if (tls.ok) tls.socket.destroy();
    return { kind: 'cancelled' };
  }
  if (!tls.ok) return { kind: 'failed', failure: tlsFailure(tls) };
  return { kind: 'ready', socket: tls.socket, tcpSocket: socket, info: tls.info };
};

/** TCP and TLS in one tls.connect to `address`, reads into an arena; the same phases and failures. */
async function dialDirect(c: SessionConfig, deps: DialDeps, hooks: DialHooks, address: string): Promise<DialResult> {
  const reads = new ArenaReads();
  const tls = await startTls({
    ...tlsParams(c, deps),
    direct: {
      address,
      port: c.port,
      timeoutMs: CONNECT_TIMEOUT_MS,
      reads,
      onSocket: (socket) => hooks.socket(socket),
      onConnected: () => {
        hooks.dialled(address);
        hooks.done('tcp');
        hooks.enter('tls');
      },
    },
  });
  if (hooks.cancelled()) {
    if (tls.ok) tls.socket.destroy();
    return { kind: 'cancelled' };
  }
  if (!tls.ok && tls.code === 'tcp-failed')
    return {
      kind: 'failed',
      failure: failure('tcp', 'network-unreachable', explainConnectError(tls.detail, c.host, c.port), {
        detail: tls.detail,
      }),
    };
  if (!tls.ok) return { kind: 'failed', failure: tlsFailure(tls) };
  return { kind: 'ready', socket: tls.socket, tcpSocket: tls.socket, info: tls.info, reads };
}

function tlsParams(c: SessionConfig, deps: DialDeps): Omit<TlsParams, 'socket' | 'direct'> {
  const tap = deps.tap;
  return {
    host: c.host,
    sni: c.sni,
    minVersion: c.tlsMin,
    trust: c.trust,
    clientCertificate: c.clientCertificate,
    timeoutMs: CONNECT_TIMEOUT_MS,
    ...(tap ? { onKeylog: (line: Buffer) => tap.keylog(line) } : {}),
  };
}

function tlsFailure(tls: Extract<TlsResult, { ok: false }>): SessionFailure {
  // 'tcp-failed' comes only from a direct dial, which maps it before this.
  const code = tls.code === 'tcp-failed' ? 'network-unreachable' : tls.code;
  return failure('tls', code, tls.message, { detail: tls.detail, certificate: tls.certificate });
}
