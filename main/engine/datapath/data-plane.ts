// Where a tunnel's packets meet the machine. 'system': a TUN device with the machine's address, routes
// and DNS set through a NetConfigurator (the privileged helper), and the packet pump between the TUN
// and the session. 'none': the system is left alone and the session carries only what its owner sends
// itself (a ping from the app): for hosts without root or polkit, and for tests.
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { isNeighborSolicitation } from '../packet/neighbor-discovery.js';
import { isRouterAdvertisement } from '../packet/router-advert.js';
import type { Ipv4Info, TunnelInfo } from '../session.js';
import type { TunOpenResult } from '../tun/tun-device.js';
import type { SessionDataPort } from './data-port.js';
import type { NetConfigurator, RoutingMode } from './net-configurator.js';
import { Ipv6Link, type Ipv6View } from './ipv6-link.js';
import { PacketPump, type PumpStats } from './pump.js';
import { mssForMtu } from './mss-clamp.js';

export interface DataPlaneSettings {
  readonly routing: RoutingMode;
  readonly dns: boolean;
  /** The address our TCP connection goes to (the server, or the proxy): kept off the tunnel. */
  readonly serverAddress: string;
  /** Its other addresses (the other family, a server list's alternates), kept off the tunnel too. */
  readonly serverAddresses?: readonly string[];
  /** Upper bound for the TUN MTU (the server's MRU may be lower). */
  readonly mtu?: number;
  /**
   * Clamp the MSS of TCP SYNs both ways: to this MSS, or 'mtu' for the TUN's MTU − 40 (what the doctor's
   * MTU check recommends when the path is smaller than the link). Off when absent.
   */
  readonly mssClamp?: number | 'mtu';
}

/** What the data plane did for the current session. */
export interface DataPlaneView {
  /** null: session-only, nothing on the system was touched (no device, routes or DNS). */
  readonly interfaceName: string | null;
  readonly mtu: number;
  /** DNS servers given to the system (empty when none were). */
  readonly dns: readonly string[];
}

export interface DataPlane {
  /** The first session is up: set up whatever carries the system's packets. Throws when it cannot. */
  setUp(session: SessionDataPort, info: TunnelInfo): Promise<DataPlaneView>;
  /** A session after a reconnect: same device; reconfigured only if the address or MTU changed. */
  resume(session: SessionDataPort, info: TunnelInfo): Promise<DataPlaneView>;
  /** The session went away; the device and routes stay for the next one. */
  detach(): void;
  /** Undoes everything. Safe before setUp and more than once. */
  tearDown(): Promise<void>;
  /** Packets carried for the system (undefined without a pump). */
  readonly stats: PumpStats | undefined;
  /** IPv6 on the TUN (undefined: none, or session-only). */
  readonly ipv6?: Ipv6View | undefined;
  /** A session was just created: IPv6CP may open before it is attached (ipv6-link.ts). */
  watch?(session: SessionDataPort): void;
}

export interface DataPlaneLog {
  info(message: string): void;
  error(message: string): void;
}

function mtuFor(info: TunnelInfo, settings: DataPlaneSettings): number {
  return Math.min(info.peerMru, settings.mtu ?? 1500);
}

/** Session-only: nothing to set up; the tunnel still tracks, reconnects and reports the session. */
export function sessionOnlyDataPlane(settings: DataPlaneSettings): DataPlane {
  const view = (info: TunnelInfo): DataPlaneView => ({ interfaceName: null, mtu: mtuFor(info, settings), dns: [] });
  return {
    setUp: async (_session, info) => view(info),
    resume: async (_session, info) => view(info),
    detach: () => {},
    tearDown: async () => {},
    stats: undefined,
  };
}

export interface SystemDataPlaneDeps {
  readonly net: NetConfigurator;
  /** Attaches to the TUN `net.createTun()` made (the helper has handed its descriptor over by then). */
  readonly openTun: (name: string) => TunOpenResult;
  readonly log: DataPlaneLog;
  /** The TUN device failed under us: the tunnel cannot carry anything any more. */
  readonly onDeviceError: () => void;
  /** The TUN's IPv6 changed (IPv6CP opened, an RA gave an address, it expired). */
  readonly onIpv6?: (view: Ipv6View | undefined) => void;
  readonly clock?: Clock;
}

export class SystemDataPlane implements DataPlane {
  private pump: PacketPump | undefined;
  private interfaceName: string | undefined;
  private configured: { address: string; peer: string; mtu: number } | undefined;
  private readonly ipv6Link: Ipv6Link;
  /** The session's IPv4 DNS servers given to the system, to which the RA's RDNSS servers are added. */
  private ipv4Dns: readonly string[] = [];

  constructor(
    private readonly settings: DataPlaneSettings,
    private readonly deps: SystemDataPlaneDeps,
  ) {
    this.ipv6Link = new Ipv6Link({
      net: deps.net,
      clock: deps.clock ?? systemClock,
      log: deps.log,
      onChange: (view) => this.ipv6Changed(view),
    });
  }

  get ipv6(): Ipv6View | undefined {
    return this.ipv6Link.view;
  }

  watch(session: SessionDataPort): void {
    this.ipv6Link.watch(session);
  }

  private ipv6Changed(view: Ipv6View | undefined): void {
    const name = this.interfaceName;
    const v6 = view?.dns ?? [];
    if (name !== undefined && this.settings.dns && v6.length > 0) {
      // The helper takes at most 4; IPv4's from IPCP first, they were there before.
      const servers = [...new Set([...this.ipv4Dns, ...v6])].slice(0, 4);
      this.deps.net
        .setDns({ name, servers })
        .catch((e: unknown) => this.deps.log.error(`IPv6 DNS could not be set: ${(e as Error).message}`));
    }
    this.deps.onIpv6?.(view);
  }

  get stats(): PumpStats | undefined {
    return this.pump?.stats;
  }

  private otherServerAddresses(): { serverAddresses?: readonly string[] } {
    const a = this.settings.serverAddresses;
    return a !== undefined && a.length > 0 ? { serverAddresses: a } : {};
  }

  async setUp(session: SessionDataPort, info: TunnelInfo): Promise<DataPlaneView> {
    const { net } = this.deps;
    const name = await net.createTun();
    this.interfaceName = name;
    const { address, peer, mtu } = this.addressing(info.ipv4, info);
    await net.configure({ name, address, peer, mtu });
    this.configured = { address, peer, mtu };
    const opened = this.deps.openTun(name);
    if (!opened.ok) throw new Error(`cannot attach to ${name}: ${opened.error.code} ${opened.error.message}`);
    const clamp = this.settings.mssClamp;
    // `p` is valid during this call only (the session's read arena): what the IPv6 link gets is a copy.
    const divert = (p: Buffer): boolean => {
      if (isNeighborSolicitation(p)) return this.ipv6Link.neighborSolicitation(Buffer.from(p));
      if (!isRouterAdvertisement(p)) return false;
      this.ipv6Link.routerAdvertisement(Buffer.from(p));
      return true;
    };
    this.pump = new PacketPump(opened.device, {
      divert,
      ...(clamp === undefined ? {} : { mssClamp: clamp === 'mtu' ? mssForMtu(mtu) : clamp }),
    });
    if (clamp !== undefined)
      this.deps.log.info(`TCP MSS clamped to ${clamp === 'mtu' ? mssForMtu(mtu) : clamp} both ways`);
    opened.device.onError((e) => {
      this.deps.log.error(`TUN ${name} failed: ${e.code} ${e.message}`);
      this.deps.onDeviceError();
    });
    // Attached before routes exist, so the first packets routed into the device find a session.
    this.pump.attach(session);
    await net.setRoutes({
      name,
      routing: this.settings.routing,
      serverAddress: this.settings.serverAddress,
      ...this.otherServerAddresses(),
    });
    const dns = this.settings.dns ? info.ipv4.dns : [];
    this.ipv4Dns = dns;
    if (dns.length > 0) await net.setDns({ name, servers: dns });
    // After the routes: a full tunnel's IPv6 is blocked until the TUN has IPv6 of its own.
    this.ipv6Link.attach(name, session);
    return { interfaceName: name, mtu, dns };
  }

  async resume(session: SessionDataPort, info: TunnelInfo): Promise<DataPlaneView> {
    const name = this.interfaceName;
    if (name === undefined) throw new Error('the tunnel interface is gone');
    const { address, peer, mtu } = this.addressing(info.ipv4, info);
    const c = this.configured;
    if (!c || c.address !== address || c.peer !== peer || c.mtu !== mtu) {
      // A new address: sockets bound to the old one break, as they must; routes follow the device.
      this.deps.log.info(`reconnected with a new address ${address} (was ${c?.address ?? 'none'})`);
      await this.deps.net.configure({ name, address, peer, mtu });
      await this.deps.net.setRoutes({
        name,
        routing: this.settings.routing,
        serverAddress: this.settings.serverAddress,
        ...this.otherServerAddresses(),
      });
      this.configured = { address, peer, mtu };
    }
    this.ipv4Dns = this.settings.dns ? info.ipv4.dns : [];
    this.pump?.attach(session);
    this.ipv6Link.attach(name, session);
    return { interfaceName: name, mtu, dns: this.settings.dns ? info.ipv4.dns : [] };
  }

  detach(): void {
    this.pump?.detach();
    this.ipv6Link.detach();
  }

  async tearDown(): Promise<void> {
    this.pump?.stop();
    this.pump = undefined;
    await this.ipv6Link.settled();
    this.ipv6Link.stop();
    if (this.interfaceName === undefined) return;
    this.interfaceName = undefined;
    this.configured = undefined;
    try {
      await this.deps.net.teardown();
    } catch (e) {
      this.deps.log.error(`system configuration could not be fully undone: ${(e as Error).message}`);
    }
  }

  private addressing(ipv4: Ipv4Info, info: TunnelInfo): { address: string; peer: string; mtu: number } {
    return { address: ipv4.local, peer: ipv4.peer ?? ipv4.local, mtu: mtuFor(info, this.settings) };
  }
}
