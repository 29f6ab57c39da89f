// The helper's brain: validates one request line, checks it against what this helper created, and
// changes the system only through the journal. No I/O of its own beyond HelperSystem.
import { describe } from '../check.js';
import { applyDns } from './dns-linux.js';
import { TunIpv6 } from './ipv6-linux.js';
import { Journal } from './journal.js';
import { linkNames } from './ip-json.js';
import { KillSwitch, type NftRunner } from './kill-switch.js';
import {
  HELPER_VERSION,
  LIMITS,
  PROTOCOL_VERSION,
  VERBS,
  request as requestSchema,
  requestId,
  type ConfigureRequest,
  type CreateTunRequest,
  type KillSwitchArmRequest,
  type OpenTunRequest,
  type RemoteErrorCode,
  type SetIpv6Request,
  type SetRoutesRequest,
  type Request,
  type Response,
} from '../protocol.js';
import { applyRoutes } from './routes-linux.js';
import type { StepResult } from './step-result.js';
import type { StateStore } from './state-store.js';
import type { HelperSystem } from './system.js';
import type { TunChannel } from './tun-channel.js';
import type { UndoStep } from './undo-step.js';

export interface HelperDeps {
  readonly system: HelperSystem;
  readonly store: StateStore;
  /** The unprivileged user who started us (PKEXEC_UID, or our socket's peer); create-tun may only serve them. */
  readonly callerUid?: number;
  /** Where open-tun sends the TUN's descriptor; absent or not ok: open-tun is refused. */
  readonly tunChannel?: TunChannel;
  readonly log: (message: string) => void;
  /** nft for the kill switch (kill-switch.ts); absent: its verbs are refused. */
  readonly nft?: NftRunner;
  /**
   * Runs `f` while no other helper picks or creates a TUN (main.ts: the state directory's lock). Two
   * helpers picking the first free causewayN at once would both take the same name, and `ip tuntap add`
   * attaches to an existing TUN instead of failing. Absent (tests): `f` runs as is.
   */
  readonly oneAtATime?: <T>(f: () => Promise<T>) => Promise<T>;
}

type Outcome = StepResult<Record<string, unknown>>;

export class Helper {
  readonly journal: Journal;
  private readonly killSwitch: KillSwitch | undefined;
  private tun: string | undefined;
  private tunHasIpv6 = false;
  private readonly ipv6: TunIpv6;
  /** The last set-routes' mode: a full tunnel's IPv6 follows set-ipv6. */
  private routing: 'full' | 'split' | undefined;
  private closing = false;

  constructor(private readonly deps: HelperDeps) {
    this.journal = new Journal(deps.system, deps.store, deps.log);
    this.ipv6 = new TunIpv6(deps.system, this.journal);
    this.killSwitch = deps.nft === undefined ? undefined : new KillSwitch(deps.nft, this.journal, deps.log);
  }

  /** At start, after leftover cleanup: a kill-switch table already in place keeps blocking, journaled as ours. */
  async adoptKillSwitch(): Promise<boolean> {
    return (await this.killSwitch?.adopt()) ?? false;
  }

  /** One request line in, one response out. Never throws. */
  async handleLine(line: string): Promise<Response> {
    if (Buffer.byteLength(line) > LIMITS.maxLineBytes)
      return failure(null, 'too-large', `request over ${LIMITS.maxLineBytes} bytes`);
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return failure(null, 'bad-request', 'not JSON');
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return failure(null, 'bad-request', 'not a JSON object');
    const fields = raw as Record<string, unknown>;
    const checkedId = requestId(fields.id, 'id');
    const id = checkedId.ok ? checkedId.value : null;
    if (typeof fields.verb !== 'string' || !(VERBS as readonly string[]).includes(fields.verb)) {
      return failure(id, 'unknown-verb', `unknown verb ${JSON.stringify(String(fields.verb).slice(0, 40))}`);
    }
    const parsed = requestSchema(raw, '');
    if (!parsed.ok) return failure(id, 'invalid', describe(parsed));
    if (this.closing) return failure(id, 'shutting-down', 'the helper is tearing down');
    let outcome: Outcome;
    try {
      outcome = await this.dispatch(parsed.value);
    } catch (e) {
      outcome = { ok: false, error: { code: 'failed', message: e instanceof Error ? e.message : String(e) } };
    }
    return outcome.ok
      ? { id: parsed.value.id, ok: true, result: outcome.value }
      : failure(parsed.value.id, outcome.error.code, outcome.error.message);
  }

  /**
   * Undo everything, newest first, but the kill switch (only kill-switch-disarm removes it: a closed
   * stdin may be a crash). Used by the teardown verb and by every exit path.
   */
  async teardown(): Promise<{ undone: number; failed: number }> {
    const report = await this.journal.undoAllExcept('kill-switch');
    this.tun = undefined;
    this.tunHasIpv6 = false;
    this.ipv6.reset();
    this.routing = undefined;
    if (this.journal.size === 0) this.deps.store.remove();
    return report;
  }

  /** Refuse new work from now on (the exit path is about to tear down). */
  beginShutdown(): void {
    this.closing = true;
  }

  private dispatch(req: Request): Promise<Outcome> {
    switch (req.verb) {
      case 'hello':
        return Promise.resolve({
          ok: true,
          value: {
            protocol: PROTOCOL_VERSION,
            version: HELPER_VERSION,
            pid: process.pid,
            uid: process.getuid?.() ?? -1,
            ...(this.killSwitch === undefined ? {} : { killSwitch: this.killSwitch.state.state }),
          },
        });
      case 'create-tun':
        return this.createTun(req);
      case 'open-tun':
        return this.ours(req.name, () => Promise.resolve(this.openTun(req)));
      case 'configure':
        return this.ours(req.name, () => this.configure(req));
      case 'set-routes':
        return this.ours(req.name, () => this.setRoutes(req));
      case 'set-ipv6':
        return this.ours(req.name, () => this.setIpv6(req));
      case 'set-dns':
        return this.ours(req.name, () => applyDns(this.deps.system, this.journal, req, this.deps.log));
      case 'teardown':
        return this.teardown().then((value) => ({ ok: true, value }));
      case 'kill-switch-arm':
        return this.armKillSwitch(req);
      case 'kill-switch-disarm':
        return this.killSwitch === undefined ? Promise.resolve(noNft()) : this.killSwitch.disarm();
    }
  }

  /** Only the TUN this helper created may be configured: never eth0, never someone else's tun. */
  private ours(name: string, then: () => Promise<Outcome>): Promise<Outcome> {
    if (this.tun === undefined) return Promise.resolve(refused('create-tun first'));
    if (name !== this.tun) return Promise.resolve(refused(`${name} was not created by this helper (${this.tun} was)`));
    return then();
  }

  private async createTun(req: CreateTunRequest): Promise<Outcome> {
    if (this.tun !== undefined) return refused(`this helper already manages ${this.tun}; teardown first`);
    if (this.deps.callerUid !== undefined && req.uid !== this.deps.callerUid) {
      return refused(`uid ${req.uid} is not the calling user's (${this.deps.callerUid})`);
    }
    const { oneAtATime } = this.deps;
    return oneAtATime ? oneAtATime(() => this.pickAndCreateTun(req)) : this.pickAndCreateTun(req);
  }

  private async pickAndCreateTun(req: CreateTunRequest): Promise<Outcome> {
    const { runner } = this.deps.system;
    const links = await runner.run('ip', ['-j', 'link', 'show']);
    if (links.code !== 0)
      return { ok: false, error: { code: 'failed', message: `ip link show: ${links.stderr.trim()}` } };
    const existing = linkNames(links.stdout);
    if (existing === undefined)
      return { ok: false, error: { code: 'failed', message: 'unreadable `ip -j link show` output' } };
    let name = req.name;
    if (name !== undefined && existing.has(name)) return refused(`${name} already exists`);
    for (let i = 0; name === undefined && i < 100; i++) if (!existing.has(`causeway${i}`)) name = `causeway${i}`;
    if (name === undefined) return refused('no free causewayN name');

    // `ip tuntap add` attaches to an existing TUN of that name instead of failing, hence the check above.
    const step: UndoStep = { kind: 'delete-link', group: 'tun', name };
    this.journal.record(step);
    const r = await runner.run('ip', ['tuntap', 'add', 'dev', name, 'mode', 'tun', 'user', String(req.uid)]);
    if (r.code !== 0) {
      this.journal.forget(step);
      return { ok: false, error: { code: 'failed', message: `ip tuntap add: ${r.stderr.trim().slice(0, 200)}` } };
    }
    this.tun = name;
    // An armed kill switch lets the new TUN through before anything can be sent on it.
    const allowed = await this.killSwitch?.tunnelChanged(name);
    if (allowed !== undefined && !allowed.ok) this.deps.log(`kill switch: ${allowed.error.message}`);
    return { ok: true, value: { name } };
  }

  private armKillSwitch(req: KillSwitchArmRequest): Promise<Outcome> {
    if (this.killSwitch === undefined) return Promise.resolve(noNft());
    const endpoints = req.endpoints.map((e) => ({
      family: e.address.includes(':') ? (6 as const) : (4 as const),
      address: e.address,
      port: e.port,
    }));
    return this.killSwitch.arm(endpoints, req.allowLan ?? false, this.tun);
  }

  private async setRoutes(req: SetRoutesRequest): Promise<Outcome> {
    // Our IPv6 routes go first: the server's original path must not be looked up through them.
    await this.ipv6.clearRoutes();
    const v6 = this.tunHasIpv6 || this.ipv6.hasIpv6;
    const routes = await applyRoutes(this.deps.system, this.journal, req, v6);
    if (!routes.ok) return routes;
    this.routing = req.mode;
    const ipv6 = await this.ipv6.applyRoutes(req.name, req.mode, this.tunHasIpv6);
    if (!ipv6.ok) await this.journal.undoGroup('routes');
    return ipv6.ok ? routes : ipv6;
  }

  private async setIpv6(req: SetIpv6Request): Promise<Outcome> {
    const r = await this.ipv6.setAddresses(req);
    if (!r.ok) return r;
    return this.ipv6.applyRoutes(req.name, this.routing, this.tunHasIpv6);
  }

  private openTun(req: OpenTunRequest): Outcome {
    const channel = this.deps.tunChannel;
    if (channel === undefined) return refused('no socket to hand the TUN over on');
    if (!channel.ok) return refused(channel.reason);
    const r = channel.handOver(req.name, req.offload ?? true);
    return r.ok ? { ok: true, value: { name: req.name, vnet: r.value.vnet } } : r;
  }

  private async configure(req: ConfigureRequest): Promise<Outcome> {
    await this.journal.undoGroup('address');
    this.tunHasIpv6 = false;
    const { runner } = this.deps.system;
    const run = async (args: string[], step?: UndoStep): Promise<string | undefined> => {
      if (step !== undefined) this.journal.record(step);
      const r = await runner.run('ip', args);
      if (r.code === 0) return undefined;
      if (step !== undefined) this.journal.forget(step);
      return `ip ${args.slice(0, 3).join(' ')}: ${r.stderr.trim().slice(0, 200)}`;
    };
    const v4 = `${req.address}/32`;
    const peer = `${req.peer}/32`;
    const steps: [string[], UndoStep?][] = [
      [['link', 'set', 'dev', req.name, 'mtu', String(req.mtu)]],
      [
        ['addr', 'add', v4, 'peer', peer, 'dev', req.name],
        { kind: 'delete-address', group: 'address', name: req.name, cidr: v4, peer },
      ],
    ];
    if (req.ipv6 !== undefined) {
      // nodad: the far end is a PPP peer, not a LAN; DAD would only delay the address by a second.
      const v6 = req.ipv6.address;
      steps.push([
        ['-6', 'addr', 'add', v6, 'dev', req.name, 'nodad'],
        { kind: 'delete-address', group: 'address', name: req.name, cidr: v6 },
      ]);
    }
    // No kernel-made link-local (a random one on a TUN): ours comes from IPv6CP (set-ipv6).
    steps.push([['link', 'set', 'dev', req.name, 'addrgenmode', 'none']]);
    steps.push([['link', 'set', 'dev', req.name, 'up']]);
    for (const [args, step] of steps) {
      const error = await run(args, step);
      if (error !== undefined) {
        await this.journal.undoGroup('address');
        return { ok: false, error: { code: 'failed', message: error } };
      }
    }
    this.tunHasIpv6 = req.ipv6 !== undefined;
    return { ok: true, value: {} };
  }
}

function failure(id: number | null, code: RemoteErrorCode, message: string): Response {
  return { id, ok: false, error: { code, message } };
}

function noNft(): Outcome {
  return { ok: false, error: { code: 'refused', message: 'this helper cannot run nft, so it has no kill switch' } };
}

function refused(message: string): Outcome {
  return { ok: false, error: { code: 'refused', message } };
}
