// What the connection service needs from the engine and the machine, as narrow interfaces so that tests
// can stand in for them.
import type { SessionConfig } from '../../engine/config.js';
import type { NetConfigurator } from '../../engine/datapath/net-configurator.js';
import type { TunnelSession } from '../../engine/datapath/tunnel.js';
import type { SessionFailure } from '../../engine/failure.js';
import type { LogSink } from '../../engine/log.js';
import type { SessionDeps, SessionEvent } from '../../engine/session.js';
import type { TunOpenResult } from '../../engine/tun/tun-device.js';
import type { Profile } from '../../contract/profile.js';

/** A session as the Tunnel drives it, plus what the service itself uses: its own packets and phases. */
export interface SessionLike extends TunnelSession {
  sendIp(packet: Buffer): boolean;
  onEvent(listener: (event: SessionEvent) => void): () => void;
}

export type SessionFactory = (config: SessionConfig, deps: SessionDeps) => SessionLike;

/** The machine's side of one tunnel: the privileged helper's NetConfigurator, and attaching to the TUN it handed over. */
export interface SystemPlaneLease {
  readonly net: NetConfigurator;
  readonly openTun: (name: string) => TunOpenResult;
  /** Where the TCP connection goes (server or proxy), resolved: kept off the tunnel by a host route. */
  readonly serverAddress: string;
  /** All addresses of the server's name (both families; serverAddress among them), for happy eyeballs. */
  readonly serverAddresses?: readonly string[];
  /** This computer's IPv4 gateways when the plane was acquired: IPCP may not assign them (SessionConfig.lanGateways). */
  readonly lanGateways?: readonly string[];
  /** The connection's kill switch when on: traffic outside the tunnel is blocked while it is not up. */
  readonly killSwitch?: 'on' | 'always';
  /** Ends what backs it (the helper process, which undoes anything left), after the tunnel is down. */
  release(): Promise<void>;
}

/**
 * Gives each connection its system data plane (TUN device, helper-applied routes and DNS). Optional:
 * without it tunnels are session-only, which is what hosts without root or polkit (tests, the browser
 * host) run.
 */
export interface DataPlaneProvider {
  acquire(ctx: {
    readonly profile: Profile;
    readonly config: SessionConfig;
    readonly log: LogSink;
  }): Promise<
    { readonly ok: true; readonly plane: SystemPlaneLease } | { readonly ok: false; readonly failure: SessionFailure }
  >;
  /** Whether the profile's connection would run with a kill switch (its own setting, else Preferences). */
  killSwitchOn?(profile: Profile): boolean;
}
