// The PPP link over SSTP: RFC 1661 phases Dead → Establish (LCP) → Authenticate → Network
// (IPCP, and IPv6CP independently) → Terminate, and the one way out (a single 'failed' or 'closed').
// No I/O: frames come in through receive() and leave through the injected send(), both by way of
// link-wire.ts (which sorts received frames by protocol); time comes from the injected clock.
import type { Clock } from '../clock.js';
import type { Phase, SessionFailure } from '../failure.js';
import { phaseLogger } from '../log.js';
import { Automaton, type PppEvent, type State } from './automaton.js';
import { EchoMonitor } from './echo.js';
import { LcpPolicy } from './lcp.js';
import { AuthPhase } from './link-auth.js';
import type { PppLinkOptions } from './link-config.js';
import type { PppLinkEvent } from './link-events.js';
import * as why from './link-failures.js';
import { type LinkTerms } from './link-failures.js';
import { NetworkLayer } from './link-network.js';
import { AUTH_PROTOCOLS, LinkWire, type LinkLogs } from './link-wire.js';
import { ECHO_REQ, encodeMessage } from './packet.js';
import { PPP_IPCP, PPP_IPV6CP, PPP_LCP, protocolName } from './protocols.js';
import { cryptoRandom, type RandomBytes } from './random.js';

export type { PppLinkEvent } from './link-events.js';
export type { PppLinkConfig, PppLinkOptions } from './link-config.js';

type LinkPhase = 'dead' | 'establish' | 'authenticate' | 'network' | 'terminate';

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
  private readonly logs: LinkLogs;
  private readonly lcpPolicy: LcpPolicy;
  private readonly lcp: Automaton;
  private lcpOpened = false;
  /** What LCP first agreed; a renegotiation must end with the same terms for the session to carry on. */
  private terms: LinkTerms | undefined;
  private renegotiating = false;
  private readonly auth: AuthPhase;
  private echo: EchoMonitor | undefined;
  private readonly network: NetworkLayer;
  /** Frames in and out; built last, as it dispatches to the layers above (which send through it). */
  private readonly wire: LinkWire;

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
      send: (p) => this.wire.sendControl(PPP_LCP, p),
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
      sendControl: (protocol, p) => this.wire.sendControl(protocol, p),
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
      sendInfo: (protocol, packet) => this.wire.sendInfo(protocol, packet, this.logs.auth),
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
        send: (p) => this.wire.sendControl(PPP_LCP, p),
        up: () => this.lcpUp(),
        down: (cause) => this.lcpDown(cause),
        started: () => {},
        finished: (cause) => this.lcpFinished(cause),
        transition: (ev, from, to) => this.lcpTransition(ev, from, to),
      },
    });
    this.wire = new LinkWire({
      logs: this.logs,
      ipv6: o.config.ipv6,
      now: () => clock.now(),
      lcp: this.lcp,
      auth: this.auth,
      network: this.network,
      peerMru: () => this.lcpPolicy.negotiated.peerMru,
      heard: () => this.echo?.heard(),
      ipPacket: (packet) => this.emit({ type: 'ip-packet', packet }),
      step: (fn) => this.run(fn),
      done: () => this.done,
      send: (frame) => o.send(frame),
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
    if (!this.done) this.wire.receive(frame);
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
    this.wire.sendControl(
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

  // ---- ending ----

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
