// One connection's network phase at the strict peer: IPCP, IPv6CP as the script says (negotiated,
// Protocol-Rejected, or held until the test releases it), ICMP/ICMPv6 echo answers and the scripted
// router advertisement. The connection decides when the phase may start and which packets reach it.
import { PPP_IPCP, PPP_IPV4, PPP_IPV6, PPP_IPV6CP } from '../../main/engine/ppp/protocols.js';
import { answerEcho } from './icmp-responder.js';
import { answerIcmpv6 } from './icmpv6-responder.js';
import { IpcpServer, Ipv6cpServer } from './ncp-servers.js';
import type { PeerLink } from './peer-link.js';
import { buildRouterAdvertisement } from './router-advertiser.js';

export interface NetworkPhaseHooks {
  /** The test let IPv6CP go ('hold' mode). */
  readonly ipv6cpReleased: () => boolean;
  /** LCP Protocol-Reject ('protocol-reject' mode): the connection's LCP sends it. */
  readonly protocolReject: (protocol: number, info: Buffer) => void;
  readonly ipcpOpened: () => void;
}

export class NetworkPhase {
  private ipcp: IpcpServer | undefined;
  private ipv6cp: Ipv6cpServer | undefined;
  private readonly heldIpv6cp: Buffer[] = [];
  private started = false;

  constructor(
    private readonly link: PeerLink,
    private readonly hooks: NetworkPhaseHooks,
  ) {}

  /** Our own Configure-Requests: IPCP, and IPv6CP unless the script rejects or still holds it. */
  start(): void {
    if (this.started) return;
    this.started = true;
    (this.ipcp ??= this.newIpcp()).start();
    const mode = this.link.script.ipv6cp.mode;
    if (mode === 'negotiate' || (mode === 'hold' && this.hooks.ipv6cpReleased()))
      (this.ipv6cp ??= this.newIpv6cp()).start();
  }

  /** The test let IPv6CP go: start ours and answer what the client sent meanwhile. */
  releaseIpv6cp(): void {
    // Before the NCP phase there is nothing held; start() will see the release.
    if (!this.started) return;
    const ipv6cp = (this.ipv6cp ??= this.newIpv6cp());
    ipv6cp.start();
    for (const info of this.heldIpv6cp.splice(0)) ipv6cp.receive(info);
  }

  /** An IPCP, IPv6CP, IPv4 or IPv6 packet the connection let through. */
  receive(protocol: number, info: Buffer): void {
    switch (protocol) {
      case PPP_IPCP:
        (this.ipcp ??= this.newIpcp()).receive(info);
        return;
      case PPP_IPV6CP:
        this.onIpv6cp(info);
        return;
      case PPP_IPV4: {
        if (!this.ipcp?.opened) this.link.violation('IPv4 packet before IPCP opened', false);
        const v = answerEcho(info, this.link.script.ipcp.serverAddress);
        this.link.log.record({ kind: 'icmp-echo', from: v.from, to: v.to, answered: v.kind === 'reply' });
        if (v.kind === 'reply') this.link.sendPpp(PPP_IPV4, v.packet, 'IP ICMP echo reply');
        return;
      }
      case PPP_IPV6: {
        if (!this.ipv6cp?.opened) this.link.violation('IPv6 packet before IPv6CP opened', false);
        const v = answerIcmpv6(info);
        if (v.kind === 'echo-reply') {
          this.link.log.record({ kind: 'icmp6-echo', from: v.from, to: v.to });
          this.link.sendPpp(PPP_IPV6, v.packet, 'IPv6 ICMPv6 echo reply');
        } else if (v.kind === 'router-solicitation') this.advertise();
        return;
      }
    }
  }

  private onIpv6cp(info: Buffer): void {
    switch (this.link.script.ipv6cp.mode) {
      case 'protocol-reject':
        this.link.log.record({ kind: 'ppp-received', protocol: PPP_IPV6CP, summary: 'IPV6CP (Protocol-Rejected)' });
        this.hooks.protocolReject(PPP_IPV6CP, info);
        return;
      case 'hold':
        if (!this.hooks.ipv6cpReleased()) {
          this.link.log.record({ kind: 'ppp-received', protocol: PPP_IPV6CP, summary: 'IPV6CP (held)' });
          this.heldIpv6cp.push(Buffer.from(info));
          return;
        }
        break;
      case 'negotiate':
        break;
    }
    (this.ipv6cp ??= this.newIpv6cp()).receive(info);
  }

  private newIpcp(): IpcpServer {
    return new IpcpServer(this.link, () => this.hooks.ipcpOpened());
  }

  private newIpv6cp(): Ipv6cpServer {
    return new Ipv6cpServer(this.link, () => this.advertise());
  }

  /** The scripted router advertisement, when there is one and IPv6CP is open. */
  private advertise(): void {
    const ra = this.link.script.ipv6cp.routerAdvertisement;
    if (ra === undefined || !this.ipv6cp?.opened) return;
    const packet = buildRouterAdvertisement({ ...ra, source: this.ipv6cp.linkLocal });
    this.link.log.record({ kind: 'router-advertisement-sent', bytes: packet.length });
    this.link.sendPpp(PPP_IPV6, packet, 'IPv6 ICMPv6 router advertisement');
  }
}
