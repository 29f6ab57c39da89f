// The PPP link's side facing SSTP: each received frame sorted by protocol to the part of the link it
// belongs to (IP to the tunnel, LCP to its automaton, PAP/CHAP/EAP to the authentication, IPCP and
// IPv6CP to their NCPs, anything else answered with a Protocol-Reject), and each frame going out
// framed and traced. The link's phases decide nothing here beyond RFC 1661 §3.4's "LCP first"; who
// is listening is asked of the layers themselves.
import type { Logger } from '../log.js';
import { describeDecodeError } from '../bytes.js';
import type { Automaton } from './automaton.js';
import { decodeFrame, encodeFrame } from './frame.js';
import type { AuthPhase } from './link-auth.js';
import type { NetworkLayer } from './link-network.js';
import { decodeControl, encodeControl, type ControlPacket } from './packet.js';
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
import { ProtocolRejecter } from './protocol-reject.js';
import { traceLine } from './trace.js';

export const AUTH_PROTOCOLS: ReadonlySet<number> = new Set([PPP_PAP, PPP_CHAP, PPP_EAP]);

export type LinkLogs = Record<'lcp' | 'auth' | 'ipcp' | 'ipv6cp', Logger>;

export interface LinkWireOptions {
  readonly logs: LinkLogs;
  readonly ipv6: boolean;
  /** The injected clock's time, for the Protocol-Reject rate window. */
  readonly now: () => number;
  readonly lcp: Pick<Automaton, 'receive' | 'isOpened' | 'nextId'>;
  readonly auth: Pick<AuthPhase, 'receive'>;
  readonly network: Pick<NetworkLayer, 'ncpFor' | 'ipv4Up' | 'ipv6Up'>;
  readonly peerMru: () => number;
  /** Any well-formed frame is a sign of life for dead-peer detection. */
  readonly heard: () => void;
  readonly ipPacket: (packet: Buffer) => void;
  /** Runs a control packet's handling as one step of the link (see PppLink.run). */
  readonly step: (fn: () => void) => void;
  /** Once the link is finished nothing more goes out. */
  readonly done: () => boolean;
  readonly send: (frame: Buffer) => void;
}

export class LinkWire {
  private readonly rejects: ProtocolRejecter;

  constructor(private readonly o: LinkWireOptions) {
    this.rejects = new ProtocolRejecter(o.now);
  }

  /** One full PPP frame from an SSTP data packet. Never throws on bad bytes. */
  receive(frame: Buffer): void {
    const decoded = decodeFrame(frame);
    if (!decoded.ok) {
      this.o.logs.lcp.debug(`dropped: ${describeDecodeError(decoded.error)}`);
      return;
    }
    const { protocol, info } = decoded.value;
    this.o.heard();
    // The data path first: no trace formatting per packet.
    if (protocol === PPP_IPV4 || protocol === PPP_IPV6) {
      if (protocol === PPP_IPV4 ? this.o.network.ipv4Up : this.o.network.ipv6Up) this.o.ipPacket(info);
      else this.o.logs.lcp.debug(`dropped ${protocolName(protocol)} packet: its network protocol is not open`);
      return;
    }
    this.o.step(() => this.receiveControl(protocol, info));
  }

  sendControl(protocol: number, packet: ControlPacket): void {
    this.sendInfo(protocol, encodeControl(packet), this.logFor(protocol));
  }

  sendInfo(protocol: number, info: Buffer, log: Logger): void {
    if (this.o.done()) return;
    // Authenticators trace their own packets (they know what must not be printed).
    if (!AUTH_PROTOCOLS.has(protocol)) log.debug(traceLine('send', protocol, info));
    this.o.send(encodeFrame(protocol, info));
  }

  private receiveControl(protocol: number, info: Buffer): void {
    const log = this.logFor(protocol);
    if (!AUTH_PROTOCOLS.has(protocol)) log.debug(traceLine('rcvd', protocol, info));
    if (protocol === PPP_LCP) return this.receiveInto(protocol, info, (p) => this.o.lcp.receive(p));
    // RFC 1661 §3.4: until LCP is open, everything else is silently discarded.
    if (!this.o.lcp.isOpened) return log.debug(`dropped: LCP is not open`);
    if (AUTH_PROTOCOLS.has(protocol)) {
      if (!this.o.auth.receive(protocol, info))
        log.debug(`dropped ${protocolName(protocol)}: not the authentication in progress`);
      return;
    }
    if (protocol === PPP_IPCP || (protocol === PPP_IPV6CP && this.o.ipv6)) {
      const ncp = this.o.network.ncpFor(protocol);
      if (ncp) this.receiveInto(protocol, info, (p) => ncp.receive(p));
      else log.debug(`dropped ${protocolName(protocol)}: not in the network phase yet`);
      return;
    }
    // CCP (we leave encryption to TLS), IPv6CP when IPv6 is off, and anything unknown.
    this.sendProtocolReject(protocol, info);
  }

  private receiveInto(protocol: number, info: Buffer, deliver: (p: ControlPacket) => void): void {
    const packet = decodeControl(info, `${protocolName(protocol)} packet`);
    if (packet.ok) deliver(packet.value);
    else this.logFor(protocol).debug(`dropped: ${describeDecodeError(packet.error)}`);
  }

  private sendProtocolReject(protocol: number, info: Buffer): void {
    const ctx = { peerMru: this.o.peerMru(), nextId: () => this.o.lcp.nextId(), log: this.logFor(protocol) };
    const reject = this.rejects.answer(protocol, info, ctx);
    if (reject) this.sendControl(PPP_LCP, reject);
  }

  private logFor(protocol: number): Logger {
    if (AUTH_PROTOCOLS.has(protocol)) return this.o.logs.auth;
    if (protocol === PPP_IPCP) return this.o.logs.ipcp;
    if (protocol === PPP_IPV6CP) return this.o.logs.ipv6cp;
    return this.o.logs.lcp;
  }
}
