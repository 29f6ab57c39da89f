// What the connection service needs from the engine and the data plane, as narrow interfaces so that
// tests can stand in for them and the lead's TUN data plane plugs in without touching the service.
import type { SessionConfig } from '../../engine/config.js';
import type { SessionFailure } from '../../engine/failure.js';
import type { ConnectOutcome, SessionDeps, SessionEvent, TunnelInfo } from '../../engine/session.js';
import type { Profile } from '../profiles/schema.js';

export interface SessionLike {
  connect(): Promise<ConnectOutcome>;
  disconnect(): Promise<void>;
  sendIp(packet: Buffer): boolean;
  onIpPacket(listener: (packet: Buffer) => void): () => void;
  onEvent(listener: (event: SessionEvent) => void): () => void;
  readonly closed: Promise<SessionFailure | null>;
}

export type SessionFactory = (config: SessionConfig, deps: SessionDeps) => SessionLike;

/** The IP side of a live tunnel, with the service's byte counting in between. */
export interface TunnelPort {
  sendIp(packet: Buffer): boolean;
  onIpPacket(listener: (packet: Buffer) => void): () => void;
}

export interface AttachedTunnel {
  /** e.g. "cw0": shown in the status view once the data plane is attached. */
  readonly interfaceName?: string;
  /** Undo routes, DNS and the device. Called before the session is disconnected. */
  detach(): Promise<void>;
}

/**
 * The data plane (TUN device, helper-applied routes and DNS). Optional: without it a tunnel is still
 * negotiated and usable for the service's own packets (ping), which is what the browser host runs.
 */
export interface TunnelAttacher {
  attach(ctx: { readonly profile: Profile; readonly info: TunnelInfo; readonly port: TunnelPort }): Promise<
    { readonly ok: true; readonly tunnel: AttachedTunnel } | { readonly ok: false; readonly failure: SessionFailure }
  >;
}
