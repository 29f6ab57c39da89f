// IPv6 on the TUN, driven by what the PPP link says: IPv6CP's identifier becomes fe80::<id>/64, and
// each Router Advertisement the server sends (diverted from the pump, never written to the TUN) gives
// the SLAAC address (its /64 prefix + the same identifier), the RDNSS servers and their lifetimes.
// The helper applies them (set-ipv6); a full tunnel's IPv6 routes follow there. Nothing here blocks
// IPv4: IPv6 comes up whenever IPv6CP does, before or after IPv4, and a failure is logged, not fatal.
//
// Why the engine reads the RA and not the kernel: main/engine/packet/router-advert.ts.
import { parseIpv6 } from '../addresses.js';
import type { Clock, TimerHandle } from '../clock.js';
import { buildNeighborAdvertisement, parseNeighborSolicitation } from '../packet/neighbor-discovery.js';
import { LIFETIME_INFINITY, parseRouterAdvertisement } from '../packet/router-advert.js';
import { linkLocalAddress, slaacAddress, type SlaacAddress } from '../packet/slaac.js';
import type { LinkIpv6, SessionDataPort } from './data-port.js';
import { frameIpPacket } from './ip-frame-header.js';
import type { NetConfigurator } from './net-configurator.js';

export interface Ipv6View {
  /** fe80::<identifier>/64 */
  readonly linkLocal: string;
  /** The SLAAC address with its /64, once an RA gave a prefix; null before. */
  readonly address: string | null;
  /** RDNSS servers from the RA. */
  readonly dns: readonly string[];
}

export interface Ipv6LinkDeps {
  readonly net: NetConfigurator;
  readonly clock: Clock;
  readonly log: { info(message: string): void; error(message: string): void };
  /** The view changed (status, DNS). */
  readonly onChange: (view: Ipv6View | undefined) => void;
}

/** Node's timers take at most 2^31-1 ms (24.8 days); longer lifetimes are refreshed by RAs long before. */
const MAX_TIMER_MS = 0x7fffffff;
/** Malformed RAs are logged this many times per session, then only counted. */
const MAX_LOGGED_BAD_RAS = 5;

interface State {
  readonly id: string;
  readonly linkLocal: string;
  global: SlaacAddress | undefined;
  dns: string[];
}

export class Ipv6Link {
  /** IPv6CP's result per session, learned before connect() resolves (see watch()). */
  private readonly known = new WeakMap<SessionDataPort, LinkIpv6>();
  private session: SessionDataPort | undefined;
  private name: string | undefined;
  private state: State | undefined;
  private expiry: TimerHandle | undefined;
  private badRas = 0;
  /** Helper calls in order, one at a time. */
  private queue: Promise<void> = Promise.resolve();
  /** The view as of the last set-ipv6 that succeeded (see `view`). */
  private applied: Ipv6View | undefined;

  constructor(private readonly deps: Ipv6LinkDeps) {}

  /**
   * What the system has: the state of the last set-ipv6 the helper carried out, not what the latest RA
   * asked for. A connected state built while a call is in flight (tunnel.ts reads this whenever it
   * reports) so never names an address the kernel does not list yet.
   */
  get view(): Ipv6View | undefined {
    return this.applied;
  }

  private wanted(): Ipv6View | undefined {
    const s = this.state;
    return s === undefined
      ? undefined
      : { linkLocal: s.linkLocal, address: s.global?.address ?? null, dns: [...s.dns] };
  }

  /** Called as soon as a session exists: IPv6CP may open before IPv4 is up. */
  watch(session: SessionDataPort): void {
    session.onEvent?.((e) => {
      if (e.type !== 'ipv6-up' || e.ipv6 === undefined) return;
      this.known.set(session, e.ipv6);
      if (this.session === session) this.up(e.ipv6);
    });
  }

  /** The session now carries the TUN `name` (first set-up, or after a reconnect). */
  attach(name: string, session: SessionDataPort): void {
    const again = this.name !== undefined;
    this.name = name;
    this.session = session;
    this.badRas = 0;
    const ipv6 = this.known.get(session);
    if (ipv6 !== undefined) this.up(ipv6);
    // A reconnect without IPv6 (yet): the old identifier and prefix are stale.
    else if (again && this.state !== undefined) this.gone();
  }

  detach(): void {
    this.session = undefined;
  }

  /** Undo is the helper's teardown; here only timers and state. */
  stop(): void {
    this.expiry?.cancel();
    this.expiry = undefined;
    this.state = undefined;
    this.applied = undefined;
    this.session = undefined;
    this.name = undefined;
  }

  /** A Router Advertisement the pump diverted. Never throws. */
  routerAdvertisement(packet: Buffer): void {
    const s = this.state;
    if (s === undefined) return; // IPv6CP is not open: nothing to configure with it
    const parsed = parseRouterAdvertisement(packet);
    if (!parsed.ok) {
      if (this.badRas++ < MAX_LOGGED_BAD_RAS)
        this.deps.log.info(`ignoring a router advertisement: ${parsed.error.message}`);
      return;
    }
    const ra = parsed.ra;
    let global = s.global;
    for (const p of ra.prefixes) {
      const d = slaacAddress(p, s.id);
      if (!d.use) {
        this.deps.log.info(`router advertisement: ${d.reason}`);
        continue;
      }
      if (d.address.validLifetime === 0) {
        if (global?.address === d.address.address) global = undefined;
        continue;
      }
      // One global address: the first usable prefix wins, the current one keeps its place.
      if (global === undefined || global.address === d.address.address) global = d.address;
    }
    const dns = ra.dns.filter((d) => d.lifetime > 0).map((d) => d.address);
    const dnsChanged = ra.dns.length > 0 && dns.join() !== s.dns.join();
    if (ra.dns.length > 0) s.dns = dns;
    const addressChanged = global?.address !== s.global?.address;
    const refreshed = global !== undefined && global !== s.global;
    s.global = global;
    if (addressChanged) this.deps.log.info(`IPv6 address ${global?.address ?? '(none)'} from the router advertisement`);
    if (addressChanged || refreshed) this.armExpiry(global);
    // Status says what the system has: after the helper applied it.
    // RDNSS alone needs no helper call; it joins the view once whatever is in flight has finished.
    const applied = addressChanged || refreshed ? this.apply() : this.queue.then(() => this.dnsOnly());
    if (addressChanged || dnsChanged) void applied.then(() => this.deps.onChange(this.view));
  }

  /**
   * A Neighbor Solicitation the pump diverted: answered here when it asks for one of our addresses
   * (true), else left for the TUN (false). Why the kernel cannot: packet/neighbor-discovery.ts.
   */
  neighborSolicitation(packet: Buffer): boolean {
    const s = this.state;
    const session = this.session;
    if (s === undefined || session === undefined || !session.ipv6Up) return false;
    const ns = parseNeighborSolicitation(packet);
    if (ns === undefined) return false;
    const ours = [s.linkLocal, s.global?.address].some(
      (a) => a !== undefined && parseIpv6(a.replace(/\/\d+$/, ''))?.value === ns.target,
    );
    if (!ours) return false;
    session.writeFramed(frameIpPacket(buildNeighborAdvertisement(ns), true));
    return true;
  }

  private up(ipv6: LinkIpv6): void {
    const linkLocal = linkLocalAddress(ipv6.localInterfaceId);
    if (linkLocal === undefined) {
      this.deps.log.error(`IPv6CP gave an unusable interface identifier ${ipv6.localInterfaceId}`);
      return;
    }
    if (this.state?.id === ipv6.localInterfaceId) return;
    this.expiry?.cancel();
    this.state = { id: ipv6.localInterfaceId, linkLocal, global: undefined, dns: [] };
    this.deps.log.info(`IPv6 link-local ${linkLocal}`);
    void this.apply().then(() => this.deps.onChange(this.view));
  }

  private gone(): void {
    this.expiry?.cancel();
    this.state = undefined;
    void this.apply().then(() => this.deps.onChange(undefined));
  }

  private armExpiry(global: SlaacAddress | undefined): void {
    this.expiry?.cancel();
    this.expiry = undefined;
    if (global === undefined || global.validLifetime === LIFETIME_INFINITY) return;
    const ms = global.validLifetime * 1000;
    if (ms > MAX_TIMER_MS) return;
    this.expiry = this.deps.clock.after(
      ms,
      () => {
        const s = this.state;
        if (s?.global !== global) return;
        this.deps.log.info(`IPv6 address ${global.address} expired (no router advertisement renewed it)`);
        s.global = undefined;
        void this.apply().then(() => this.deps.onChange(this.view));
      },
      { background: true },
    );
  }

  /** Sends the current state to the helper, after whatever call is in flight; resolves when done. */
  private apply(): Promise<void> {
    const { net, log } = this.deps;
    const name = this.name;
    if (name === undefined || net.setIpv6 === undefined) return this.queue;
    const setIpv6 = net.setIpv6.bind(net);
    const s = this.state;
    const args = {
      name,
      ...(s === undefined ? {} : { linkLocal: s.linkLocal }),
      ...(s?.global === undefined
        ? {}
        : {
            global: {
              address: s.global.address,
              validLifetime: s.global.validLifetime,
              preferredLifetime: s.global.preferredLifetime,
            },
          }),
    };
    const view = this.wanted();
    this.queue = this.queue.then(() =>
      setIpv6(args).then(
        () => {
          this.applied = view;
        },
        (e: unknown) => log.error(`IPv6 on ${name} could not be set: ${(e as Error).message}`),
      ),
    );
    return this.queue;
  }

  /** The RA's DNS servers into the applied view (the addresses stay as the helper last set them). */
  private dnsOnly(): void {
    const a = this.applied;
    const s = this.state;
    if (a !== undefined && s !== undefined) this.applied = { ...a, dns: [...s.dns] };
  }

  /** Resolves once every helper call made so far has finished (tests, teardown). */
  settled(): Promise<void> {
    // Chained after the status callbacks already waiting on the queue, so those have run too.
    return this.queue.then(() => undefined);
  }
}
