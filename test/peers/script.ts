// The strict peer's script: what it proposes, what it accepts, what it requires, which faults it
// injects. Every field has a default (see resolveScript); personas are ready-made partial scripts.
import type { StatusName } from '../../main/engine/sstp/constants.js';
import type { OneTimeCodes } from './one-time-codes.js';
import type { RadiusServerAddress } from './radius-client.js';

export type PeerAuthMethod = 'pap' | 'chap' | 'mschapv2' | 'eap';

/** Options of the peer's own LCP Configure-Request, in the order sent. */
export type LcpRequestOption =
  | { readonly kind: 'mru'; readonly value: number }
  /** The current method of `auth.methods`; moves down that list as the client NAKs. */
  | { readonly kind: 'auth' }
  | { readonly kind: 'magic' }
  | { readonly kind: 'callback' }
  | { readonly kind: 'mrru'; readonly value: number }
  | { readonly kind: 'endpoint' }
  | { readonly kind: 'pfc' }
  | { readonly kind: 'acfc' }
  | { readonly kind: 'raw'; readonly type: number; readonly data: Buffer };

export interface LcpScript {
  readonly request: readonly LcpRequestOption[];
  /** SoftEther waits for the client's first Configure-Request instead of sending its own at once. */
  readonly waitForClient: boolean;
  /** The client's MRU is NAKed into this range. */
  readonly maxMru: number;
  readonly minMru: number;
  readonly rejectMagic: boolean;
  /** LCP option types of ours that the client must Configure-Reject (or NAK), never Ack. */
  readonly mustNotAck: readonly number[];
}

export interface AuthScript {
  /** Methods in the order the peer offers them at LCP. */
  readonly methods: readonly PeerAuthMethod[];
  /** Send an MS-CHAPv2 Success whose S= does not prove the password, to see the client refuse it. */
  readonly wrongAuthenticatorResponse: boolean;
  /** 'tls-only' acts like SoftEther: EAP-TLS Start after Identity, and an EAP-Nak wedges the peer. */
  readonly eap: 'mschapv2' | 'tls-only';
  readonly serverName: string;
  /** MS-CHAPv2: hold Success/Failure this long after the Response, as a server waiting for an MFA push. */
  readonly answerDelayMs?: number;
  /** MS-CHAPv2: the password must carry one of these one-time codes, each accepted once across connections. */
  readonly oneTimeCodes?: OneTimeCodes;
  /**
   * RRAS with NPS: EAP is relayed to this RADIUS server (Access-Request with EAP-Message and
   * Message-Authenticator) instead of run here; the binding key comes from the Accept's MPPE keys.
   */
  readonly radius?: RadiusServerAddress;
}

export interface SstpScript {
  /** CRYPTO_BINDING_REQ hash bitmask: 1 SHA-1, 2 SHA-256, 3 both. */
  readonly hashBitmask: number;
  /** CALL_CONNECT_NAK this many requests before acknowledging one (Infinity: never). */
  readonly naks: number;
  /** Answer the client's ECHO_REQUEST (SoftEther never does). */
  readonly answerEcho: boolean;
  /** Send our own SSTP ECHO_REQUEST this often after CALL_CONNECTED (0: never). */
  readonly echoIntervalMs: number;
  /** Send LCP Echo-Requests this often once LCP is open (0: never). */
  readonly lcpEchoIntervalMs: number;
}

export interface BindingScript {
  /** 'enforce' aborts the call on a bad or misplaced CALL_CONNECTED; 'record' only notes it (SoftEther). */
  readonly mode: 'enforce' | 'record';
  /** Start IPCP/IPv6CP only after a verified CALL_CONNECTED (accel-ppp holds IP until then). */
  readonly holdNcpUntilCallConnected: boolean;
}

export interface IpcpScript {
  readonly serverAddress: string;
  readonly clientAddress: string;
  /** Primary and (optional) secondary DNS handed out by NAK. */
  readonly dns: readonly string[];
  /** Configure-Reject the DNS options instead (accel-ppp with no DNS configured). */
  readonly rejectDns: boolean;
}

import type { RaSpec } from './router-advertiser.js';

export interface Ipv6cpScript {
  /**
   * 'negotiate': a normal IPv6CP; 'protocol-reject': LCP Protocol-Reject (IPv6 off);
   * 'hold': say nothing until the test calls releaseIpv6cp() (models SoftEther's slow IPv6CP).
   */
  readonly mode: 'negotiate' | 'protocol-reject' | 'hold';
  /**
   * Sent over the PPP link from fe80::<our identifier> once IPv6CP is open, and again for each Router
   * Solicitation (router-advertiser.ts). Absent: no RA, as from a server that only does IPv6CP.
   */
  readonly routerAdvertisement?: Omit<RaSpec, 'source'>;
}

export interface HttpScript {
  /** When set, the Host header (port stripped) must equal it, as accel-ppp checks. */
  readonly expectedHost?: string;
  /** Answer status; anything but 200 ends the connection after the answer. */
  readonly status: number;
  /** Content-Length of the answer (undefined: omit the header). */
  readonly contentLength?: string;
  readonly extraHeaders: readonly string[];
}

export interface TlsScript {
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** Mutual TLS: the client must present a certificate issued by this CA. */
  readonly requireClientCertificateCaPem?: string;
}

/** Where in the call a fault fires. */
export type FaultPoint = 'http' | 'connect-ack' | 'lcp-opened' | 'authenticated' | 'call-connected' | 'ipcp-opened';

export type MalformedKind = 'bad-version' | 'short-length' | 'bad-attribute-list' | 'truncated-control';

export type FaultAction =
  | { readonly kind: 'malformed'; readonly which: MalformedKind }
  | { readonly kind: 'raw'; readonly bytes: Buffer }
  /** From now on send nothing at all and ignore everything received. */
  | { readonly kind: 'silence' }
  | { readonly kind: 'abort'; readonly status: StatusName }
  | { readonly kind: 'disconnect' }
  /** A new LCP Configure-Request (same options), as a server renegotiating LCP mid-session. */
  | { readonly kind: 'lcp-renegotiate' }
  /** Destroy the TCP connection without any goodbye. */
  | { readonly kind: 'drop' }
  /** Legal but useless frames, as fast as TCP takes them (flood.ts); 'flood-sent' when all are out. */
  | { readonly kind: 'flood'; readonly flood: FloodSpec }
  /** Frames a fuzzer makes when the fault fires (fuzzer.ts), then an SSTP ECHO_REQUEST as a barrier. */
  | { readonly kind: 'fuzz'; readonly frames: () => readonly Buffer[] };

export interface FloodSpec {
  /** SSTP data packets with no PPP frame at all (length 4). */
  readonly emptyData: number;
  /** PPP frames of a protocol nobody knows, which the client must Protocol-Reject. */
  readonly unknownProtocol: number;
  /** That protocol (default 0x2a2b: even high octet, odd low octet, as RFC 1661 §2 wants). */
  readonly protocol?: number;
}

export interface Fault {
  readonly at: FaultPoint;
  /** Delay after the point is reached (0: at once). */
  readonly afterMs?: number;
  readonly action: FaultAction;
}

export interface PeerScript {
  readonly name: string;
  readonly users: Readonly<Record<string, string>>;
  readonly tls: TlsScript;
  readonly http: HttpScript;
  readonly sstp: SstpScript;
  readonly lcp: LcpScript;
  readonly auth: AuthScript;
  readonly binding: BindingScript;
  readonly ipcp: IpcpScript;
  readonly ipv6cp: Ipv6cpScript;
  readonly faults: readonly Fault[];
}

/** What callers pass: any section may be partial. */
export interface PartialScript {
  readonly name?: string;
  readonly users?: Readonly<Record<string, string>>;
  readonly tls?: Partial<TlsScript>;
  readonly http?: Partial<HttpScript>;
  readonly sstp?: Partial<SstpScript>;
  readonly lcp?: Partial<LcpScript>;
  readonly auth?: Partial<AuthScript>;
  readonly binding?: Partial<BindingScript>;
  readonly ipcp?: Partial<IpcpScript>;
  readonly ipv6cp?: Partial<Ipv6cpScript>;
  readonly faults?: readonly Fault[];
}

// LCP option numbers the scripts refer to (RFC 1661 §6, RFC 1570, RFC 1990).
export const LCP_OPT = { MRU: 1, AUTH: 3, MAGIC: 5, PFC: 7, ACFC: 8, CALLBACK: 13, MRRU: 17, ENDPOINT: 19 } as const;

export const DEFAULT_SCRIPT: PeerScript = {
  name: 'strict',
  users: { testuser: 'testpass' },
  tls: { minVersion: 'TLSv1.2' },
  http: { status: 200, contentLength: '18446744073709551615', extraHeaders: [] },
  sstp: { hashBitmask: 0x03, naks: 0, answerEcho: true, echoIntervalMs: 0, lcpEchoIntervalMs: 0 },
  lcp: {
    request: [{ kind: 'mru', value: 1500 }, { kind: 'auth' }, { kind: 'magic' }],
    waitForClient: false,
    maxMru: 1500,
    minMru: 576,
    rejectMagic: false,
    mustNotAck: [],
  },
  auth: { methods: ['mschapv2'], wrongAuthenticatorResponse: false, eap: 'mschapv2', serverName: 'strict-peer' },
  binding: { mode: 'enforce', holdNcpUntilCallConnected: true },
  ipcp: { serverAddress: '10.77.0.1', clientAddress: '10.77.0.2', dns: ['10.77.0.53', '10.77.0.54'], rejectDns: false },
  ipv6cp: { mode: 'negotiate' },
  faults: [],
};

/** Layers partial scripts over the defaults, later ones winning, section by section. */
export function resolveScript(...layers: readonly PartialScript[]): PeerScript {
  let s: PeerScript = DEFAULT_SCRIPT;
  for (const l of layers) {
    s = {
      name: l.name ?? s.name,
      users: l.users ?? s.users,
      tls: { ...s.tls, ...l.tls },
      http: { ...s.http, ...l.http },
      sstp: { ...s.sstp, ...l.sstp },
      lcp: { ...s.lcp, ...l.lcp },
      auth: { ...s.auth, ...l.auth },
      binding: { ...s.binding, ...l.binding },
      ipcp: { ...s.ipcp, ...l.ipcp },
      ipv6cp: { ...s.ipv6cp, ...l.ipv6cp },
      faults: l.faults ?? s.faults,
    };
  }
  return s;
}
