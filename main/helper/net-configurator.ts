// The engine's NetConfigurator, carried out by the privileged helper process.
import type { NetConfigurator } from '../engine/datapath/net-configurator.js';
import type { HelperClient } from './client.js';

export class HelperNetConfigurator implements NetConfigurator {
  constructor(
    private readonly helper: HelperClient,
    private readonly uid: number,
    private readonly preferredName?: string,
  ) {}

  async createTun(): Promise<string> {
    const r = await this.helper.createTun({ uid: this.uid, ...(this.preferredName ? { name: this.preferredName } : {}) });
    return r.name;
  }

  async configure(args: { name: string; address: string; peer: string; mtu: number }): Promise<void> {
    await this.helper.configure(args);
  }

  async setRoutes(args: Parameters<NetConfigurator['setRoutes']>[0]): Promise<void> {
    const routes = args.routing.mode === 'split' ? [...args.routing.routes] : [];
    await this.helper.setRoutes({ name: args.name, mode: args.routing.mode, routes, serverAddress: args.serverAddress });
  }

  async setDns(args: { name: string; servers: readonly string[] }): Promise<void> {
    await this.helper.setDns({ name: args.name, servers: [...args.servers], defaultRoute: true });
  }

  async teardown(): Promise<void> {
    await this.helper.teardown();
  }
}
