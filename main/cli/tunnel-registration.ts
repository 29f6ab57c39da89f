// A running `connect` announces itself in the runtime registry so that `causeway status` and
// `causeway disconnect` in another terminal can find it. Registration is best effort: a tunnel that
// cannot register still works, and says why on stderr.
import type { TunnelState } from '../engine/datapath/tunnel.js';
import type { PumpStats } from '../engine/datapath/pump.js';
import type { TunnelStatus } from '../services/runtime/control-protocol.js';
import { ControlServer } from '../services/runtime/control-server.js';
import { ensureRuntimeDir, runtimeDirFor, type Owner } from '../services/runtime/runtime-dir.js';
import { existsSync } from 'node:fs';
import { currentInvoker } from './profiles/services.js';
import { userEnvironment, type Invoker } from './sudo/invoker.js';

/** What registration reads of a Tunnel. */
export interface ObservedTunnel {
  readonly state: TunnelState;
  readonly stats: PumpStats | undefined;
  onState(listener: (s: TunnelState) => void): () => void;
}

export interface RegistrationInput {
  readonly name: string;
  readonly profileId: string | null;
  readonly server: string;
  readonly tunnel: ObservedTunnel;
  /** The same clean stop as SIGINT. */
  readonly stop: () => void;
  readonly env: NodeJS.ProcessEnv;
  /** Who the process acts for; worked out from `env` when not given. */
  readonly invoker?: Invoker;
  readonly now?: () => number;
  readonly pid?: number;
  /** The session's place in a `causeway connect A B …` (0 for the first, or the only one). */
  readonly slot?: number;
  /** The run's kill switch, when on: status says when it blocks traffic. */
  readonly killSwitch?: 'on' | 'always';
}

export type Registration =
  { readonly ok: true; close(): Promise<void> } | { readonly ok: false; readonly message: string };

/** The registry a process of this invoker uses: the sudo user's own, so their `status` sees it. */
export function registryOwner(invoker: Invoker, selfUid: number, selfGid: number): Owner {
  return invoker.kind === 'sudo' ? { uid: invoker.user.uid, gid: invoker.user.gid } : { uid: selfUid, gid: selfGid };
}

/** Never throws: a tunnel that cannot be registered still runs. */
export async function registerTunnel(input: RegistrationInput): Promise<Registration> {
  try {
    return await register(input);
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

async function register(input: RegistrationInput): Promise<Registration> {
  const selfUid = process.getuid?.() ?? 0;
  const invoker = input.invoker ?? currentInvoker(input.env);
  const owner = registryOwner(invoker, selfUid, process.getgid?.() ?? 0);
  const env = invoker.kind === 'sudo' ? userEnvironment(input.env, invoker.user, existsSync) : input.env;
  const where = runtimeDirFor({ uid: owner.uid, env });
  if (!where.ok) return { ok: false, message: where.error.message };
  const dir = ensureRuntimeDir(where.dir, owner, selfUid);
  if (!dir.ok) return { ok: false, message: dir.error.message };
  const snapshot = statusTracker(input);
  const opened = await ControlServer.open(
    dir.dir,
    { pid: input.pid ?? process.pid, slot: input.slot ?? 0, name: input.name, owner, selfUid },
    { status: snapshot.status, requestStop: input.stop },
  );
  if (!opened.ok) {
    snapshot.dispose();
    return { ok: false, message: opened.message };
  }
  return {
    ok: true,
    close: async () => {
      snapshot.dispose();
      await opened.server.close();
    },
  };
}

/** Follows the tunnel's states so a status can say since when it is up and why it last dropped. */
export function statusTracker(
  input: Pick<RegistrationInput, 'name' | 'profileId' | 'server' | 'tunnel' | 'now' | 'pid' | 'killSwitch'>,
): { status(): TunnelStatus; dispose(): void } {
  const now = input.now ?? Date.now;
  const startedAt = now();
  let connectedAt: number | null = input.tunnel.state.state === 'connected' ? startedAt : null;
  let lastFailure: TunnelStatus['lastFailure'] = null;
  const off = input.tunnel.onState((s) => {
    // A check after a resume keeps the uptime: it is the same session until it fails the check.
    if (s.state === 'connected') connectedAt ??= now();
    else if (s.state !== 'checking') connectedAt = null;
    if (s.state === 'reconnecting' || s.state === 'waiting-for-network' || (s.state === 'disconnected' && s.reason)) {
      const r = s.reason;
      if (r) lastFailure = { phase: r.phase, code: r.code, message: r.message };
    }
  });
  return {
    dispose: off,
    status: () => {
      const s = input.tunnel.state;
      const st = input.tunnel.stats;
      const up = s.state === 'connected' ? s : undefined;
      return {
        pid: input.pid ?? process.pid,
        name: input.name,
        profileId: input.profileId,
        // With a server list, the one that connected (failover.ts), and why the others were passed over.
        server: up?.info.server
          ? `${up.info.server.host.includes(':') ? `[${up.info.server.host}]` : up.info.server.host}:${up.info.server.port}`
          : input.server,
        ...(up?.info.skipped && up.info.skipped.length > 0 ? { skipped: [...up.info.skipped] } : {}),
        state: s.state,
        interface: up?.interfaceName ?? null,
        ipv4: up ? { address: up.ipv4.local, peer: up.ipv4.peer } : null,
        routes: up ? (up.routing.mode === 'full' ? ['0.0.0.0/0'] : [...up.routing.routes]) : [],
        dns: up ? [...up.dns] : [],
        startedAt,
        connectedAt,
        reconnects: up?.reconnects ?? 0,
        bytes: { rx: st?.rxBytes ?? 0, tx: st?.txBytes ?? 0 },
        packets: { rx: st?.rxPackets ?? 0, tx: st?.txPackets ?? 0 },
        lastFailure,
        ...(input.killSwitch ? { killSwitch: { mode: input.killSwitch, blocking: s.state !== 'connected' } } : {}),
      };
    },
  };
}
