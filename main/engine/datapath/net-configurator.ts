// The system networking a tunnel needs, behind one interface: implemented by the privileged helper's
// client (main/helper/client/helper-net-configurator.ts) and by a recording fake in tests.

export type RoutingMode = { readonly mode: 'full' } | { readonly mode: 'split'; readonly routes: readonly string[] };

export interface NetConfigurator {
  /** Creates a TUN owned by this process's user; returns its name. */
  createTun(): Promise<string>;
  /** Address (/32 point-to-point with `peer`) and MTU. Calling it again replaces the previous values. */
  configure(args: { name: string; address: string; peer: string; mtu: number }): Promise<void>;
  /**
   * Routes; `serverAddress` keeps its host route through the original path, and so does each of
   * `serverAddresses` (the server's other family, a server list's alternates). Replaces earlier routes.
   */
  setRoutes(args: {
    name: string;
    routing: RoutingMode;
    serverAddress: string;
    serverAddresses?: readonly string[];
  }): Promise<void>;
  setDns(args: { name: string; servers: readonly string[] }): Promise<void>;
  /**
   * The TUN's IPv6: fe80::<IPv6CP identifier>/64 and the SLAAC address from the server's RA (with its
   * lifetimes in seconds, 0xffffffff forever). Without linkLocal, IPv6 is gone. A full tunnel's IPv6
   * routes follow (into the TUN while it has IPv6, blocked otherwise). Optional: absent, IPv6 stays off.
   */
  setIpv6?(args: {
    name: string;
    linkLocal?: string;
    global?: { address: string; validLifetime: number; preferredLifetime: number };
  }): Promise<void>;
  /** Undoes everything, in reverse. */
  teardown(): Promise<void>;
}
