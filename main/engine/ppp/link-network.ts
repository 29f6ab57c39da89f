// The PPP link's network phase: IPCP, and IPv6CP beside it (never in front: IPv4 must not wait for
// IPv6), and which IP protocols are open. The link owns when this starts and how failures end it.
import type { Clock } from '../clock.js';
import type { SessionFailure } from '../failure.js';
import type { Logger } from '../log.js';
import type { AutomatonLimits } from './automaton.js';
import { IpcpPolicy } from './ipcp.js';
import { Ipv6cpPolicy } from './ipv6cp.js';
import type { PppLinkEvent } from './link-events.js';
import * as why from './link-failures.js';
import { Ncp } from './ncp.js';
import type { NcpEnd } from './ncp.js';
import type { ControlPacket } from './packet.js';
import { PPP_IPCP, PPP_IPV6CP } from './protocols.js';
import type { RandomBytes } from './random.js';

export interface NetworkLayerOptions {
  readonly ipv6: boolean;
  readonly clock: Clock;
  readonly logs: { readonly ipcp: Logger; readonly ipv6cp: Logger };
  readonly random: RandomBytes;
  readonly limits?: AutomatonLimits;
  readonly peerMru: () => number;
  readonly sendControl: (protocol: number, packet: ControlPacket) => void;
  readonly emit: (ev: PppLinkEvent) => void;
  readonly fail: (f: SessionFailure) => void;
}

export class NetworkLayer {
  private ipcp: Ncp | undefined;
  private ipv6cp: Ncp | undefined;
  private v4 = false;
  private v6 = false;
  private done = false;

  constructor(private readonly o: NetworkLayerOptions) {}

  get ipv4Up(): boolean {
    return this.v4;
  }

  get ipv6Up(): boolean {
    return this.v6;
  }

  get started(): boolean {
    return this.ipcp !== undefined;
  }

  start(): void {
    const { logs } = this.o;
    const ipcpPolicy = new IpcpPolicy(logs.ipcp);
    this.ipcp = this.ncp('IPCP', PPP_IPCP, ipcpPolicy, logs.ipcp, {
      up: () => {
        const n = ipcpPolicy.negotiated;
        if (n.local === null) return this.o.fail(why.noIpv4Address());
        this.v4 = true;
        this.o.emit({ type: 'ipv4-up', local: n.local, peer: n.peer, dns: n.dns });
      },
      ended: (end) => {
        this.v4 = false;
        this.o.fail(why.ipcpEnded(end));
      },
    });
    if (this.o.ipv6) {
      const v6Policy = new Ipv6cpPolicy(this.o.random);
      this.ipv6cp = this.ncp('IPV6CP', PPP_IPV6CP, v6Policy, logs.ipv6cp, {
        up: () => {
          this.v6 = true;
          this.o.emit({ type: 'ipv6-up', ...v6Policy.negotiated });
        },
        ended: (end) => {
          this.v6 = false;
          const reason = why.IPV6_ENDED[end];
          logs.ipv6cp.info(reason);
          this.o.emit({ type: 'ipv6-unavailable', reason });
        },
      });
    }
    this.ipcp.start();
    if (!this.done) this.ipv6cp?.start();
  }

  /** The NCP for `protocol`, once the network phase has begun. */
  ncpFor(protocol: number): Ncp | undefined {
    return protocol === PPP_IPCP ? this.ipcp : protocol === PPP_IPV6CP ? this.ipv6cp : undefined;
  }

  protocolRejected(protocol: number): void {
    this.ncpFor(protocol)?.protocolRejected();
  }

  halt(): void {
    this.done = true;
    this.ipcp?.halt();
    this.ipv6cp?.halt();
    this.v4 = false;
    this.v6 = false;
  }

  private ncp(
    name: string,
    protocol: number,
    policy: IpcpPolicy | Ipv6cpPolicy,
    log: Logger,
    on: { up: () => void; ended: (end: NcpEnd) => void },
  ): Ncp {
    return new Ncp({
      name,
      policy,
      clock: this.o.clock,
      log,
      ...(this.o.limits ? { limits: this.o.limits } : {}),
      peerMru: this.o.peerMru,
      send: (p) => this.o.sendControl(protocol, p),
      up: on.up,
      ended: on.ended,
    });
  }
}
