// The session's optional observer of the bytes inside TLS (SessionDeps.tap). Off by default: then the
// session makes one `undefined` check per write or read and nothing else. Implementations must be
// cheap and must not throw; guardTap() makes sure a faulty one is switched off, not the session.

export type TapDirection = 'out' | 'in';
/** 'http': the request/response that opens the SSTP call; 'sstp': the SSTP packet stream after it. */
export type TapPhase = 'http' | 'sstp';

export interface TapEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface TapEndpoints {
  readonly local: TapEndpoint;
  readonly remote: TapEndpoint;
}

export interface StreamTap {
  /** TLS is up on a new connection (each reconnect is a new stream); endpoints of the TCP connection. */
  open(endpoints: TapEndpoints | undefined): void;
  /** Bytes written into or read out of TLS, in order per direction, chunked as the socket saw them. */
  bytes(direction: TapDirection, phase: TapPhase, chunk: Buffer): void;
  /** One NSS key-log line from the TLS socket's 'keylog' event (with its trailing newline). */
  keylog(line: Buffer): void;
}

/** Several taps as one (undefined when there are none, so the session's fast path stays untouched). */
export function combineTaps(taps: readonly (StreamTap | undefined)[]): StreamTap | undefined {
  const list = taps.filter((t): t is StreamTap => t !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return {
    open: (e) => list.forEach((t) => t.open(e)),
    bytes: (d, p, c) => list.forEach((t) => t.bytes(d, p, c)),
    keylog: (l) => list.forEach((t) => t.keylog(l)),
  };
}

/** A tap that, if it ever throws, reports why once and goes quiet instead of breaking the session. */
export function guardTap(tap: StreamTap, onFault: (error: unknown) => void): StreamTap {
  let live = true;
  const guard = (fn: () => void) => {
    if (!live) return;
    try {
      fn();
    } catch (e) {
      live = false;
      onFault(e);
    }
  };
  return {
    open: (e) => guard(() => tap.open(e)),
    bytes: (d, p, c) => guard(() => tap.bytes(d, p, c)),
    keylog: (l) => guard(() => tap.keylog(l)),
  };
}

/** The endpoints of a connected socket, when it knows them. */
export function socketEndpoints(s: {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
}): TapEndpoints | undefined {
  if (
    s.localAddress === undefined ||
    s.localPort === undefined ||
    s.remoteAddress === undefined ||
    s.remotePort === undefined
  )
    return undefined;
  return {
    local: { address: s.localAddress, port: s.localPort },
    remote: { address: s.remoteAddress, port: s.remotePort },
  };
}
