// The PPP link over SSTP: RFC 1661 phases Dead → Establish (LCP) → Authenticate → Network
// (IPCP, and IPv6CP independently) → Terminate, the demultiplexer for received frames, and the one
// way out (a single 'failed' or 'closed'). No I/O: frames come in through receive() and leave
// through the injected send(); time comes from the injected clock.
import type { Clock } from '../clock.js';
import type { AuthMethod, Credentials } from '../config.js';
import { failure } from '../failure.js';
import type { Phase, SessionFailure } from '../failure.js';
import { phaseLogger } from '../log.js';
import type { LogSink, Logger } from '../log.js';
import { describeDecodeError } from '../bytes.js';
import type { Authenticator, AuthenticatorFactory, AuthenticatorContext } from './auth/authenticator.js';
import { Automaton } from './automaton.js';
import type { AutomatonLimits, PppEvent, State } from './automaton.js';
import { EchoMonitor } from './echo.js';
import { decodeFrame, encodeFrame } from './frame.js';
import { IpcpPolicy } from './ipcp.js';
import { Ipv6cpPolicy } from './ipv6cp.js';
import { LcpPolicy } from './lcp.js';
import type { PppLinkEvent } from './link-events.js';
import { Ncp } from './ncp.js';
import type { NcpEnd } from './ncp.js';
import { CONTROL_HEADER_BYTES, ECHO_REQ, decodeControl, encodeControl, encodeMessage } from './packet.js';
import type { ControlPacket } from './packet.js';
import { PPP_CHAP, PPP_EAP, PPP_IPCP, PPP_IPV4, PPP_IPV6, PPP_IPV6CP, PPP_LCP, PPP_PAP, protocolName } from './protocols.js';
import { cryptoRandom } from './random.js';
import type { RandomBytes } from './random.js';
import { traceLine } from './trace.js';

export type { PppLinkEvent } from './link-events.js';

export interface PppLinkConfig {
  /** Allowed methods in preference order; never empty. */
  readonly authMethods: readonly AuthMethod[];
  readonly credentials: Credentials;
  readonly ipv6: boolean;
  /** The MRU we ask for. */
  readonly mru: number;
  /** When set, LCP Echo-Requests detect a dead server within two intervals of silence. */
  readonly echoIntervalMs?: number;
}

export interface PppLinkOptions {
  readonly config: PppLinkConfig;
  readonly clock: Clock;
  /** Log lines go out tagged with the phase they belong to (lcp, auth, ipcp, ipv6cp). */
  readonly log: LogSink;
  /** One full PPP frame (FF 03 protocol information) for an SSTP data packet. */
  readonly send: (frame: Buffer) => void;
  readonly authenticatorFactory: AuthenticatorFactory;
  readonly onEvent: (ev: PppLinkEvent) => void;
  /** Tests only: scripted randomness and automaton limits. */
  readonly random?: RandomBytes;
  readonly limits?: AutomatonLimits;
}

type LinkPhase = 'dead' | 'establish' | 'authenticate' | 'network' | 'terminate';

const AUTH_PROTOCOLS: ReadonlySet<number> = new Set([PPP_PAP, PPP_CHAP, PPP_EAP]);
const HLAK_BYTES = 32;

export class PppLink {
  private phase: LinkPhase = 'dead';
  /** Set once the link is finished: by failure, by close completing, or by stop(). */
  private ended = false;
  private closing = false;
  /** The final event, emitted when the outermost call unwinds so in-flight actions finish first. */
  private final: PppLinkEvent | undefined;
  private depth = 0;

  private readonly clock: Clock;
  private readonly random: RandomBytes;
  private readonly logs: Record<'lcp' | 'auth' | 'ipcp' | 'ipv6cp', Logger>;
  private readonly lcpPolicy: LcpPolicy;
  private readonly lcp: Automaton;
  private lcpOpened = false;
  private authenticator: Authenticator | undefined;
  private echo: EchoMonitor | undefined;
  private ipcp: Ncp | undefined;
  private ipv6cp: Ncp | undefined;
  private ipv4Up = false;
  private ipv6Up = false;

  constructor(private readonly o: PppLinkOptions) {
    const { clock, log } = o;
    // Everything that fires later goes through run(), so a failure inside a timer is reported the same way.
    this.clock = { now: () => clock.now(), after: (ms, fn) => clock.after(ms, () => this.run(fn)) };
    this.random = o.random ?? cryptoRandom;
    const now = () => clock.now();
    this.logs = {
      lcp: phaseLogger(log, 'lcp', now),
      auth: phaseLogger(log, 'auth', now),
      ipcp: phaseLogger(log, 'ipcp', now),
      ipv6cp: phaseLogger(log, 'ipv6cp', now),
    };
    this.lcpPolicy = new LcpPolicy({
      mru: o.config.mru,
      authMethods: o.config.authMethods,
      random: this.random,
      log: this.logs.lcp,
      send: (p) => this.sendControl(PPP_LCP, p),
      protocolRejected: (p) => this.protocolRejected(p),
      echoRejected: () => {
        this.logs.lcp.info('LCP: the server does not answer Echo-Requests; dead-peer detection is off');
        this.echo?.stop();
      },
      fail: (f) => this.fail(f),
    });
    this.lcp = new Automaton({
      name: 'LCP',
      codes: 'lcp',
      policy: this.lcpPolicy,
      clock: this.clock,
      log: this.logs.lcp,
      ...(o.limits ? { limits: o.limits } : {}),
      peerMru: () => this.lcpPolicy.negotiated.peerMru,
      hooks: {
        send: (p) => this.sendControl(PPP_LCP, p),
        up: () => this.lcpUp(),
        down: (cause) => this.lcpDown(cause),
        started: () => {},
        finished: (cause) => this.lcpFinished(cause),
        transition: (ev, from, to) => this.lcpTransition(ev, from, to),
      },
    });
  }

  /** Begin: SoftEther waits for the client, so our LCP Configure-Request goes out at once. */
  start(): void {
    if (this.ended || this.phase !== 'dead') return;
    this.phase = 'establish';
    this.run(() => {
      this.lcp.open();
      this.lcp.up();
    });
  }

  /** One full PPP frame from an SSTP data packet. Never throws on bad bytes. */
  receive(frame: Buffer): void {
    if (this.ended) return;
    const decoded = decodeFrame(frame);
    if (!decoded.ok) {
      this.logs.lcp.debug(`dropped: ${describeDecodeError(decoded.error)}`);
      return;
    }
    const { protocol, info } = decoded.value;
    this.echo?.heard();
    // The data path first: no trace formatting per packet.
    if (protocol === PPP_IPV4 || protocol === PPP_IPV6) {
      if (protocol === PPP_IPV4 ? this.ipv4Up : this.ipv6Up) this.emit({ type: 'ip-packet', packet: info });
      else this.logs.lcp.debug(`dropped ${protocolName(protocol)} packet: its network protocol is not open`);
      return;
    }
    this.run(() => this.receiveControl(protocol, info));
  }

  /** Send one IP packet; IPv4 or IPv6 by its version nibble. False when that protocol is not up. */
  sendIp(packet: Buffer): boolean {
    if (this.ended || packet.length === 0) return false;
    const version = (packet[0] ?? 0) >> 4;
    if (version === 4 && this.ipv4Up) this.o.send(encodeFrame(PPP_IPV4, packet));
    else if (version === 6 && this.ipv6Up) this.o.send(encodeFrame(PPP_IPV6, packet));
    else return false;
    return true;
  }

  /** Graceful end: LCP Terminate-Request, then 'closed' on the Ack or after Max-Terminate. */
  close(): void {
    if (this.ended || this.closing) return;
    this.run(() => {
      this.closing = true;
      const was = this.phase;
      this.phase = 'terminate';
      this.stopUpperLayers();
      if (was === 'dead') return this.finish({ type: 'closed' });
      this.lcp.close();
      // Closed already (nothing was negotiating): no Terminate handshake to wait for.
      if (this.lcp.state === 'closed' || this.lcp.state === 'initial') this.finish({ type: 'closed' });
    });
  }

  /** Immediate end: cancel every timer, send nothing, report nothing. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.teardown();
  }

  // ---- receive path ----

  private receiveControl(protocol: number, info: Buffer): void {
    const log = this.logFor(protocol);
    // Authenticators trace their own packets (they know what must not be printed).
    if (!AUTH_PROTOCOLS.has(protocol)) log.debug(traceLine('rcvd', protocol, info));
    if (protocol === PPP_LCP) return this.receiveInto(protocol, info, (p) => this.lcp.receive(p));
    // RFC 1661 §3.4: until LCP is open, everything else is silently discarded.
    if (!this.lcp.isOpened) return log.debug(`dropped: LCP is not open`);
    if (AUTH_PROTOCOLS.has(protocol)) {
      const auth = this.authenticator;
      if (auth && auth.protocol === protocol && this.authenticatorListening(protocol)) auth.receive(info);
      else log.debug(`dropped ${protocolName(protocol)}: not the authentication in progress`);
      return;
    }
    if (protocol === PPP_IPCP) {
      const ipcp = this.ipcp;
      if (ipcp) this.receiveInto(protocol, info, (p) => ipcp.receive(p));
      else log.debug('dropped IPCP: not in the network phase yet');
      return;
    }
    if (protocol === PPP_IPV6CP && this.o.config.ipv6) {
      const ipv6cp = this.ipv6cp;
      if (ipv6cp) this.receiveInto(protocol, info, (p) => ipv6cp.receive(p));
      else log.debug('dropped IPV6CP: not in the network phase yet');
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
    // RFC 1661 §5.7: the rejected information is truncated to the peer's MRU.
    const room = Math.max(0, this.lcpPolicy.negotiated.peerMru - CONTROL_HEADER_BYTES - 2);
    const rejected = info.subarray(0, room);
    this.sendControl(PPP_LCP, encodeMessage({ kind: 'protocol-reject', id: this.lcp.nextId(), protocol, rejected }));
  }

  // ---- LCP ----

  private lcpUp(): void {
    this.lcpOpened = true;
    const n = this.lcpPolicy.negotiated;
    this.emit({ type: 'lcp-up', mru: n.mru, peerMru: n.peerMru, authMethod: n.authMethod });
    if (this.ended || this.closing) return;
    const interval = this.o.config.echoIntervalMs;
    if (interval !== undefined && interval > 0) {
      this.echo = new EchoMonitor({
        clock: this.clock,
        intervalMs: interval,
        sendEcho: () => this.sendEcho(),
        dead: (unanswered) =>
          this.fail(
            failure(this.failurePhase(), 'dead-peer', 'The server stopped answering; the connection was lost.', {
              detail: `no frame received after ${unanswered} LCP Echo-Requests`,
            }),
          ),
      });
      this.echo.start();
    }
    this.phase = 'authenticate';
    if (n.authMethod === null) {
      this.logs.auth.info('the server asked for no authentication');
      this.authSucceeded(Buffer.alloc(HLAK_BYTES));
    } else {
      this.startAuthenticator(n.authMethod);
    }
  }

  private lcpDown(cause: PppEvent): void {
    this.lcpOpened = false;
    if (this.closing || cause === 'RTR') return; // our close, or the peer's Terminate (see lcpTransition)
    if (cause === 'RXJ-') {
      this.fail(failure(this.failurePhase(), 'protocol-error', 'The server rejected a basic PPP packet type.', { detail: 'LCP RXJ- in Opened' }));
    } else {
      this.fail(
        failure(this.failurePhase(), 'ppp-negotiation-failed', 'The server restarted PPP negotiation in the middle of the session; reconnect.', {
          detail: `LCP left Opened on ${cause}`,
        }),
      );
    }
  }

  private lcpFinished(cause: PppEvent): void {
    if (this.closing) return this.finish({ type: 'closed' });
    const disagreement = this.lcpOpened ? undefined : this.lcpPolicy.authDisagreement();
    if (disagreement) return this.fail(disagreement);
    if (cause === 'TO-') {
      this.fail(
        failure('lcp', 'negotiation-timeout', 'The server did not complete PPP link negotiation (LCP) in time.', {
          detail: 'LCP Max-Configure exhausted',
        }),
      );
    } else if (cause === 'RXJ-') {
      this.fail(failure('lcp', 'protocol-error', 'The server rejected a basic PPP packet type.', { detail: 'LCP RXJ-' }));
    } else {
      this.fail(failure('lcp', 'ppp-negotiation-failed', 'PPP link negotiation (LCP) ended without agreement.', { detail: `LCP finished on ${cause}` }));
    }
  }

  private lcpTransition(ev: PppEvent, from: State, to: State): void {
    this.logs.lcp.debug(`LCP: ${ev} ${from} → ${to}`);
    if (ev !== 'RTR' || this.closing) return;
    // A Terminate-Request while we still disagree about authentication is the server giving up on it.
    const disagreement = this.lcpOpened || from === 'opened' ? undefined : this.lcpPolicy.authDisagreement();
    if (!disagreement && this.phase === 'authenticate') {
      // SoftEther (and pppd servers) answer a wrong PAP password with a bare Terminate-Request.
      return this.fail(
        failure('auth', 'auth-failed', 'The server ended the session during authentication: most likely the user name or password is wrong. Check them and try again.', {
          detail: `LCP Terminate-Request during ${this.authenticator?.method ?? 'authentication'}`,
        }),
      );
    }
    this.fail(disagreement ?? failure(this.failurePhase(), 'peer-disconnect', 'The server ended the PPP session.', { detail: `LCP Terminate-Request in ${from}` }));
  }

  private protocolRejected(protocol: number): void {
    const log = this.logs.lcp;
    if (protocol === PPP_IPV6CP) return this.ipv6cp?.protocolRejected();
    if (protocol === PPP_IPCP) return this.ipcp?.protocolRejected();
    if (protocol === PPP_LCP) {
      return this.fail(failure(this.failurePhase(), 'protocol-error', 'The server rejected LCP itself.', { detail: 'Protocol-Reject of LCP' }));
    }
    if (AUTH_PROTOCOLS.has(protocol) && this.authenticator?.protocol === protocol) {
      const method = this.authenticator.method;
      return this.fail(
        failure('auth', 'auth-method-refused', `The server proposed ${protocolName(protocol)} but then refused to continue it with ${method}; it probably supports only other ${protocolName(protocol)} methods. Allow another method (such as MS-CHAPv2) in the profile.`, {
          detail: `Protocol-Reject of ${protocolName(protocol)} during ${method}`,
        }),
      );
    }
    log.warn(`the server rejected ${protocolName(protocol)}`);
  }

  private sendEcho(): void {
    if (!this.lcp.isOpened) return;
    const magic = this.lcpPolicy.negotiated.magic;
    this.sendControl(PPP_LCP, encodeMessage({ kind: 'echo', code: ECHO_REQ, id: this.lcp.nextId(), magic, data: Buffer.alloc(0) }));
  }

  // ---- authentication ----

  private startAuthenticator(method: AuthMethod): void {
    const log = this.logs.auth;
    const ctx: AuthenticatorContext = {
      credentials: this.o.config.credentials,
      send: (protocol, packet) => {
        if (this.authenticatorListening(protocol)) this.sendInfo(protocol, packet, log);
      },
      succeed: (result) => this.run(() => this.authSucceeded(result.hlak)),
      fail: (f) => this.run(() => this.fail(f)),
      log,
      clock: this.clock,
    };
    try {
      this.authenticator = this.o.authenticatorFactory(method, ctx);
    } catch (e) {
      return this.fail(
        failure('auth', 'auth-method-refused', `Causeway could not start ${method} authentication.`, { detail: e instanceof Error ? e.message : String(e) }),
      );
    }
    this.authenticator.start();
  }

  /**
   * CHAP servers may re-challenge at any time once the link is up (RFC 1994 §2.1; accel-ppp's
   * chap-interval): a CHAP authenticator keeps answering in the network phase. PAP and EAP end at success.
   */
  private authenticatorListening(protocol: number): boolean {
    return this.phase === 'authenticate' || (this.phase === 'network' && protocol === PPP_CHAP);
  }

  private authSucceeded(hlak: Buffer): void {
    if (this.ended || this.closing || this.phase !== 'authenticate') return;
    if (this.authenticator?.protocol !== PPP_CHAP) {
      this.authenticator?.stop();
      this.authenticator = undefined;
    }
    this.emit({ type: 'authenticated', hlak });
    if (this.ended || this.closing) return;
    this.phase = 'network';
    this.startNetwork();
  }

  // ---- network ----

  private startNetwork(): void {
    const ipcpPolicy = new IpcpPolicy(this.logs.ipcp);
    this.ipcp = this.ncp('IPCP', PPP_IPCP, ipcpPolicy, this.logs.ipcp, {
      up: () => {
        const n = ipcpPolicy.negotiated;
        if (n.local === null) {
          return this.fail(failure('ipcp', 'ppp-negotiation-failed', 'The server did not assign an IPv4 address.', { detail: 'IPCP opened without IP-Address' }));
        }
        this.ipv4Up = true;
        this.emit({ type: 'ipv4-up', local: n.local, peer: n.peer, dns: n.dns });
      },
      ended: (end) => this.ipcpEnded(end),
    });
    // IPv6CP runs beside IPCP, never in front of it: IPv4 must not wait for IPv6.
    if (this.o.config.ipv6) {
      const v6Policy = new Ipv6cpPolicy(this.random);
      this.ipv6cp = this.ncp('IPV6CP', PPP_IPV6CP, v6Policy, this.logs.ipv6cp, {
        up: () => {
          this.ipv6Up = true;
          this.emit({ type: 'ipv6-up', ...v6Policy.negotiated });
        },
        ended: (end) => this.ipv6Ended(end),
      });
    }
    this.ipcp.start();
    if (!this.ended) this.ipv6cp?.start();
  }

  private ncp(name: string, protocol: number, policy: IpcpPolicy | Ipv6cpPolicy, log: Logger, on: { up: () => void; ended: (end: NcpEnd) => void }): Ncp {
    return new Ncp({
      name,
      policy,
      clock: this.clock,
      log,
      ...(this.o.limits ? { limits: this.o.limits } : {}),
      peerMru: () => this.lcpPolicy.negotiated.peerMru,
      send: (p) => this.sendControl(protocol, p),
      up: on.up,
      ended: on.ended,
    });
  }

  private ipcpEnded(end: NcpEnd): void {
    this.ipv4Up = false;
    const phase: Phase = 'ipcp';
    switch (end) {
      case 'timeout':
        return this.fail(failure(phase, 'negotiation-timeout', 'The server did not complete IPv4 negotiation (IPCP) in time.', { detail: 'IPCP Max-Configure exhausted' }));
      case 'protocol-rejected':
        return this.fail(failure(phase, 'ppp-negotiation-failed', 'The server refused IPv4 (it rejected IPCP).', { detail: 'IPCP rejected' }));
      case 'peer-terminated':
        return this.fail(failure(phase, 'peer-disconnect', 'The server closed IPv4 (IPCP Terminate-Request).', { detail: 'IPCP Terminate-Request' }));
      case 'renegotiated':
        return this.fail(
          failure(phase, 'ppp-negotiation-failed', 'The server restarted IPv4 negotiation in the middle of the session; reconnect.', { detail: 'IPCP left Opened' }),
        );
      case 'finished':
        return this.fail(failure(phase, 'ppp-negotiation-failed', 'IPv4 negotiation (IPCP) ended without agreement.', { detail: 'IPCP finished' }));
    }
  }

  private ipv6Ended(end: NcpEnd): void {
    this.ipv6Up = false;
    const reasons: Record<NcpEnd, string> = {
      timeout: 'the server did not answer IPv6 negotiation (IPv6CP)',
      'protocol-rejected': 'the server does not offer IPv6 (it rejected IPv6CP)',
      'peer-terminated': 'the server declined IPv6 (IPv6CP Terminate-Request)',
      renegotiated: 'the server restarted IPv6 negotiation; IPv6 is off for this session',
      finished: 'IPv6 negotiation (IPv6CP) ended without agreement',
    };
    this.logs.ipv6cp.info(reasons[end]);
    this.emit({ type: 'ipv6-unavailable', reason: reasons[end] });
  }

  // ---- sending, logging, ending ----

  private sendControl(protocol: number, packet: ControlPacket): void {
    this.sendInfo(protocol, encodeControl(packet), this.logFor(protocol));
  }

  private sendInfo(protocol: number, info: Buffer, log: Logger): void {
    if (this.ended) return;
    if (!AUTH_PROTOCOLS.has(protocol)) log.debug(traceLine('send', protocol, info));
    this.o.send(encodeFrame(protocol, info));
  }

  private logFor(protocol: number): Logger {
    if (AUTH_PROTOCOLS.has(protocol)) return this.logs.auth;
    if (protocol === PPP_IPCP) return this.logs.ipcp;
    if (protocol === PPP_IPV6CP) return this.logs.ipv6cp;
    return this.logs.lcp;
  }

  private failurePhase(): Phase {
    switch (this.phase) {
      case 'dead':
      case 'establish':
        return 'lcp';
      case 'authenticate':
        return 'auth';
      case 'network':
        return this.ipv4Up ? 'connected' : 'ipcp';
      case 'terminate':
        return 'disconnect';
    }
  }

  private emit(ev: PppLinkEvent): void {
    if (!this.ended) this.o.onEvent(ev);
  }

  private fail(f: SessionFailure): void {
    this.finish({ type: 'failed', failure: f });
  }

  /** The one way out. The event itself goes out when the outermost call unwinds. */
  private finish(ev: PppLinkEvent & { type: 'failed' | 'closed' }): void {
    if (this.ended) return;
    this.ended = true;
    this.final = ev;
    this.teardown();
    if (this.depth === 0) this.flush();
  }

  private teardown(): void {
    this.stopUpperLayers();
    this.lcp.halt();
  }

  private stopUpperLayers(): void {
    this.authenticator?.stop();
    this.authenticator = undefined;
    this.echo?.stop();
    this.ipcp?.halt();
    this.ipv6cp?.halt();
    this.ipv4Up = false;
    this.ipv6Up = false;
  }

  /** Runs `fn` as one step; a failure decided inside is reported once the step has finished. */
  private run(fn: () => void): void {
    if (this.ended) return;
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
    }
    if (this.depth === 0) this.flush();
  }

  private flush(): void {
    const ev = this.final;
    if (!ev) return;
    this.final = undefined;
    this.o.onEvent(ev);
  }
}
