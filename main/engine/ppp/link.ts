// The PPP link over SSTP: RFC 1661 phases Dead → Establish (LCP) → Authenticate → Network
// (IPCP, and IPv6CP independently) → Terminate, the demultiplexer for received frames, and the one
// way out (a single 'failed' or 'closed'). No I/O: frames come in through receive() and leave
// through the injected send(); time comes from the injected clock.
import type { Clock } from '../clock.js';
import type { Phase, SessionFailure } from '../failure.js';
import { phaseLogger, type Logger } from '../log.js';
import { describeDecodeError } from '../bytes.js';
import { Automaton, type PppEvent, type State } from './automaton.js';
import { EchoMonitor } from './echo.js';
import { decodeFrame, encodeFrame } from './frame.js';
import { LcpPolicy } from './lcp.js';
import { AuthPhase } from './link-auth.js';
import type { PppLinkOptions } from './link-config.js';
import type { PppLinkEvent } from './link-events.js';
import * as why from './link-failures.js';
import { type LinkTerms } from './link-failures.js';
import { NetworkLayer } from './link-network.js';
import { ECHO_REQ, decodeControl, encodeControl, encodeMessage, type ControlPacket } from './packet.js';
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
import { cryptoRandom, type RandomBytes } from './random.js';
import { traceLine } from './trace.js';

export type { PppLinkEvent } from './link-events.js';
export type { PppLinkConfig, PppLinkOptions } from './link-config.js';

type LinkPhase = 'dead' | 'establish' | 'authenticate' | 'network' | 'terminate';

const AUTH_PROTOCOLS: ReadonlySet<number> = new Set([PPP_PAP, PPP_CHAP, PPP_EAP]);
const HLAK_BYTES = 32;
/** LCP leaving Opened on these is the server starting LCP negotiation over, not ending the link. */
const RENEGOTIATION: ReadonlySet<PppEvent> = new Set<PppEvent>(['RCR+', 'RCR-', 'RCA', 'RCN']);

export class PppLink {
  private phase: LinkPhase = 'dead';
  /** Set once the link is finished: by failure, by close completing, or by stop(). */
  private done = false;
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
  /** What LCP first agreed; a renegotiation must end with the same terms for the session to carry on. */
  private terms: LinkTerms | undefined;
  private renegotiating = false;
  private readonly auth: AuthPhase;
  private echo: EchoMonitor | undefined;
  private readonly network: NetworkLayer;
  private readonly rejects = new ProtocolRejecter(() => this.o.clock.now());

  constructor(private readonly o: PppLinkOptions) {
    const { clock, log } = o;
    // Everything that fires later goes through run(), so a failure inside a timer is reported the same way.
    this.clock = { now: () => clock.now(), after: (ms, fn) => clock.after(ms, () => this.run(fn)) };
    this.random = o.random ?? cryptoRandom;
    const logger = (phase: 'lcp' | 'auth' | 'ipcp' | 'ipv6cp') => phaseLogger(log, phase, () => clock.now());
    this.logs = { lcp: logger('lcp'), auth: logger('auth'), ipcp: logger('ipcp'), ipv6cp: logger('ipv6cp') };
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
    this.network = new NetworkLayer({
      ipv6: o.config.ipv6,
      clock: this.clock,
      logs: this.logs,
      random: this.random,
      ...(o.limits ? { limits: o.limits } : {}),
      peerMru: () => this.lcpPolicy.negotiated.peerMru,
      sendControl: (protocol, p) => this.sendControl(protocol, p),
      emit: (ev) => this.emit(ev),
      fail: (f) => this.fail(f),
    });
    this.auth = new AuthPhase({
      factory: o.authenticatorFactory,
      credentials: o.config.credentials,
      ...(o.config.authWaitMs !== undefined ? { waitMs: o.config.authWaitMs } : {}),
      clock: this.clock,
      log: this.logs.auth,
      inAuthPhase: () => this.phase === 'authenticate',
      inNetworkPhase: () => this.phase === 'network',
      sendInfo: (protocol, packet) => this.sendInfo(protocol, packet, this.logs.auth),
      succeeded: (hlak) => this.run(() => this.authSucceeded(hlak)),
      fail: (f) => this.run(() => this.fail(f)),
      emit: (ev) => this.emit(ev),
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
    if (this.done || this.phase !== 'dead') return;
    this.phase = 'establish';
    this.run(() => {
      this.lcp.open();
      this.lcp.up();
    });
  }

  /** One full PPP frame from an SSTP data packet. Never throws on bad bytes. */
  receive(frame: Buffer): void {
    if (this.done) return;
    const decoded = decodeFrame(frame);
    if (!decoded.ok) {
      this.logs.lcp.debug(`dropped: ${describeDecodeError(decoded.error)}`);
      return;
    }
    const { protocol, info } = decoded.value;
    this.echo?.heard();
    // The data path first: no trace formatting per packet.
    if (protocol === PPP_IPV4 || protocol === PPP_IPV6) {
      if (protocol === PPP_IPV4 ? this.network.ipv4Up : this.network.ipv6Up)
        this.emit({ type: 'ip-packet', packet: info });
      else this.logs.lcp.debug(`dropped ${protocolName(protocol)} packet: its network protocol is not open`);
      return;
    }
    this.run(() => this.receiveControl(protocol, info));
  }

  /** Graceful end: LCP Terminate-Request, then 'closed' on the Ack or after Max-Terminate. */
  close(): void {
    if (this.done || this.closing) return;
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
    if (this.done) return;
    this.done = true;
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
      if (!this.auth.receive(protocol, info))
        log.debug(`dropped ${protocolName(protocol)}: not the authentication in progress`);
      return;
    }
    if (protocol === PPP_IPCP || (protocol === PPP_IPV6CP && this.o.config.ipv6)) {
      const ncp = this.network.ncpFor(protocol);
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
    const ctx = {
      peerMru: this.lcpPolicy.negotiated.peerMru,
      nextId: () => this.lcp.nextId(),
      log: this.logFor(protocol),
    };
    const reject = this.rejects.answer(protocol, info, ctx);
    if (reject) this.sendControl(PPP_LCP, reject);
  }

  // ---- LCP ----

  private lcpUp(): void {
    this.lcpOpened = true;
    const n = this.lcpPolicy.negotiated;
    const terms: LinkTerms = { mru: n.mru, peerMru: n.peerMru, authMethod: n.authMethod };
    if (this.renegotiating) return this.renegotiated(terms);
    this.terms = terms;
    this.emit({ type: 'lcp-up', mru: n.mru, peerMru: n.peerMru, authMethod: n.authMethod });
    if (this.done || this.closing) return;
    this.phase = 'authenticate';
    if (n.authMethod === null) {
      this.logs.auth.info('the server asked for no authentication');
      this.authSucceeded(Buffer.alloc(HLAK_BYTES));
    } else {
      this.auth.start(n.authMethod);
    }
  }

  /**
   * LCP is open again after the server renegotiated mid-session (RFC 1661 §4.3: Opened + RCR is
   * tld, scr, sca/scn — the automaton does exactly that). Why we keep the layers above: tld only
   * *tells* them LCP left Opened; the RFC does not make the NCPs restart. The server's own NCPs are
   * its business — if it restarts IPCP we answer through the IPCP automaton — but tearing ours down
   * would drop a tunnel whose addresses and binding nothing has changed. So with the same MRUs and
   * authentication method the session carries on: no new authentication (a CHAP re-challenge is still
   * answered), IPCP/IPv6CP stay Opened, IP keeps flowing. Different terms would invalidate the TUN's
   * MTU or the crypto binding: that fails the session, to start over cleanly.
   */
  private renegotiated(terms: LinkTerms): void {
    this.renegotiating = false;
    const before = this.terms ?? terms;
    const changed = why.renegotiatedDifferently(before, terms);
    if (changed) return this.fail(changed);
    this.logs.lcp.info(
      `LCP renegotiated by the server with the same settings (MRU ${terms.mru}/${terms.peerMru}); the session carries on`,
    );
  }

  private lcpDown(cause: PppEvent): void {
    this.lcpOpened = false;
    if (this.closing || cause === 'RTR') return; // our close, or the peer's Terminate (see lcpTransition)
    if (this.phase === 'network' && RENEGOTIATION.has(cause)) {
      this.renegotiating = true;
      this.logs.lcp.info(
        `the server started LCP negotiation over (${cause} in Opened); keeping the network layer while it completes`,
      );
      return;
    }
    this.fail(why.lcpLeftOpened(this.failurePhase(), cause));
  }

  private lcpFinished(cause: PppEvent): void {
    if (this.closing) return this.finish({ type: 'closed' });
    const disagreement = this.lcpOpened ? undefined : this.lcpPolicy.authDisagreement();
    this.fail(disagreement ?? why.lcpFinished(cause));
  }

  private lcpTransition(ev: PppEvent, from: State, to: State): void {
    this.logs.lcp.debug(`LCP: ${ev} ${from} → ${to}`);
    if (ev !== 'RTR' || this.closing) return;
    // A Terminate-Request while we still disagree about authentication is the server giving up on it.
    const disagreement = this.lcpOpened || from === 'opened' ? undefined : this.lcpPolicy.authDisagreement();
    if (!disagreement && this.phase === 'authenticate') return this.fail(why.terminatedDuringAuth(this.auth.method));
    this.fail(disagreement ?? why.peerTerminated(this.failurePhase(), from));
  }

  private protocolRejected(protocol: number): void {
    const log = this.logs.lcp;
    if (protocol === PPP_IPV6CP || protocol === PPP_IPCP) return this.network.protocolRejected(protocol);
    if (protocol === PPP_LCP) return this.fail(why.lcpProtocolRejected(this.failurePhase()));
    const method = this.auth.method;
    if (AUTH_PROTOCOLS.has(protocol) && this.auth.protocol === protocol && method)
      return this.fail(why.authProtocolRejected(protocol, method));
    log.warn(`the server rejected ${protocolName(protocol)}`);
  }

  private sendEcho(): void {
    if (!this.lcp.isOpened) return;
    const magic = this.lcpPolicy.negotiated.magic;
    this.sendControl(
      PPP_LCP,
      encodeMessage({ kind: 'echo', code: ECHO_REQ, id: this.lcp.nextId(), magic, data: Buffer.alloc(0) }),
    );
  }

  // ---- authentication ----

  private authSucceeded(hlak: Buffer): void {
    if (this.done || this.closing || this.phase !== 'authenticate') return;
    this.auth.done();
    this.emit({ type: 'authenticated', hlak });
    if (this.done || this.closing) return;
    this.phase = 'network';
    this.startEcho();
    this.network.start();
  }

  /**
   * Dead-peer detection starts only once authenticated: while an MFA push waits for the user, a
   * server busy with RADIUS may well stay quiet, and the authentication wait (with its own message)
   * is what bounds that phase.
   */
  private startEcho(): void {
    const interval = this.o.config.echoIntervalMs;
    if (interval === undefined || interval <= 0) return;
    const dead = (unanswered: number) => this.fail(why.deadPeer(this.failurePhase(), unanswered));
    this.echo = new EchoMonitor({ clock: this.clock, intervalMs: interval, sendEcho: () => this.sendEcho(), dead });
    this.echo.start();
  }

  // ---- sending, logging, ending ----

  private sendControl(protocol: number, packet: ControlPacket): void {
    this.sendInfo(protocol, encodeControl(packet), this.logFor(protocol));
  }

  private sendInfo(protocol: number, info: Buffer, log: Logger): void {
    if (this.done) return;
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
        return this.network.ipv4Up ? 'connected' : 'ipcp';
      case 'terminate':
        return 'disconnect';
    }
  }

  private emit(ev: PppLinkEvent): void {
    if (!this.done) this.o.onEvent(ev);
  }

  private fail(f: SessionFailure): void {
    this.finish({ type: 'failed', failure: f });
  }

  /** The one way out. The event itself goes out when the outermost call unwinds. */
  private finish(ev: PppLinkEvent & { type: 'failed' | 'closed' }): void {
    if (this.done) return;
    this.done = true;
    this.final = ev;
    this.teardown();
    if (this.depth === 0) this.flush();
  }

  private teardown(): void {
    this.stopUpperLayers();
    this.lcp.halt();
  }

  private stopUpperLayers(): void {
    this.auth.stop();
    this.echo?.stop();
    this.network.halt();
  }

  /** Runs `fn` as one step; a failure decided inside is reported once the step has finished. */
  private run(fn: () => void): void {
    if (this.done) return;
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
