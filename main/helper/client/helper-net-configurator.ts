// The engine's NetConfigurator, carried out by the privileged helper process, and the TUN the
// helper hands over: createTun() also fetches its descriptor, openTun() attaches to it.
import type { NetConfigurator } from '../../engine/datapath/net-configurator.js';
import { attachTun, type AttachTunOptions } from '../../engine/tun/open-tun.js';
import type { TunOpenResult } from '../../engine/tun/tun-device.js';
import type { HandedOverTun, HelperClient } from './client.js';

export interface HelperNetOptions {
  /** The interface name to ask for (causewayN when absent). */
  readonly preferredName?: string;
  /** IFF_VNET_HDR, so writes can merge TCP segments. Default true. */
  readonly offload?: boolean;
  readonly tun?: AttachTunOptions;
  /**
   * The profile's DNS search domains. In split tunnel they are the only names sent to the tunnel's
   * servers (with systemd-resolved); in full tunnel they are searched and everything goes there.
   */
  readonly searchDomains?: readonly string[];
}

export class HelperNetConfigurator implements NetConfigurator {
  /** Received in createTun(), until openTun() attaches to it. */
  private handed: HandedOverTun | undefined;
  private readonly options: HelperNetOptions;
  /** From the last setRoutes(): DNS scope follows it (the engine sets routes before DNS). */
  private routingMode: 'full' | 'split' | undefined;

  constructor(
    private readonly helper: HelperClient,
    private readonly uid: number,
    options: HelperNetOptions | string = {},
  ) {
    this.options = typeof options === 'string' ? { preferredName: options } : options;
  }

  async createTun(): Promise<string> {
    const { preferredName, offload } = this.options;
    const r = await this.helper.createTun({ uid: this.uid, ...(preferredName ? { name: preferredName } : {}) });
    this.dropHanded();
    // Fetched now, while we can wait: the data plane attaches synchronously later.
    this.handed = await this.helper.openTun({ name: r.name, ...(offload === undefined ? {} : { offload }) });
    return r.name;
  }

  /** Attaches to the descriptor createTun() received for `name`; once. */
  openTun(name: string): TunOpenResult {
    const handed = this.handed;
    if (handed === undefined || handed.name !== name) {
      return { ok: false, error: { code: 'ENODEV', message: `the helper has handed over no TUN named ${name}` } };
    }
    this.handed = undefined;
    return attachTun(handed.fd, this.options.tun ?? {});
  }

  async configure(args: { name: string; address: string; peer: string; mtu: number }): Promise<void> {
    await this.helper.configure(args);
  }

  async setRoutes(args: Parameters<NetConfigurator['setRoutes']>[0]): Promise<void> {
    const routes = args.routing.mode === 'split' ? [...args.routing.routes] : [];
    const others = args.serverAddresses?.filter((a) => a !== args.serverAddress) ?? [];
    this.routingMode = args.routing.mode;
    await this.helper.setRoutes({
      name: args.name,
      mode: args.routing.mode,
      routes,
      serverAddress: args.serverAddress,
      ...(others.length > 0 ? { serverAddresses: others } : {}),
    });
  }

  async setDns(args: { name: string; servers: readonly string[] }): Promise<void> {
    await this.helper.setDns(dnsRequest(args, this.routingMode, this.options.searchDomains ?? []));
  }

  async setIpv6(args: Parameters<NonNullable<NetConfigurator['setIpv6']>>[0]): Promise<void> {
    await this.helper.setIpv6(args);
  }

  async teardown(): Promise<void> {
    this.dropHanded();
    await this.helper.teardown();
  }

  private dropHanded(): void {
    if (this.handed !== undefined) this.helper.closeTun(this.handed);
    this.handed = undefined;
  }
}

/**
 * DNS scope follows the routing mode: every name through the tunnel (`~.`) only in full tunnel; in
 * split tunnel just the search domains. Before any routes (never, with the engine) it stays split:
 * sending every query into a tunnel that carries no routes for them would only break resolution.
 */
export function dnsRequest(
  args: { name: string; servers: readonly string[] },
  mode: 'full' | 'split' | undefined,
  searchDomains: readonly string[],
): { name: string; servers: string[]; searchDomains?: string[]; defaultRoute: boolean } {
  return {
    name: args.name,
    servers: [...args.servers],
    ...(searchDomains.length > 0 ? { searchDomains: [...searchDomains] } : {}),
    defaultRoute: mode === 'full',
  };
}
