// A HelperSystem that changes nothing: records every command and answers queries from a script.
import type { CommandResult, CommandRunner, Program } from '../../../main/helper/root/command-runner.js';
import type { StateStore } from '../../../main/helper/root/state-store.js';
import { nameserversOf } from '../../../main/helper/root/dns-detect.js';
import type { HelperSystem, ResolvConfShape } from '../../../main/helper/root/system.js';
import type { UndoStep } from '../../../main/helper/root/undo-step.js';
import { cidrContains, parseCidr, parseIp } from '../../../main/engine/addresses.js';

export type Responder = (program: Program, args: readonly string[]) => Partial<CommandResult> | undefined;

export interface FakeSystem extends HelperSystem {
  /** Every command run, as `program arg arg…` arrays. */
  readonly calls: string[][];
  /** What each call got on stdin, by index into `calls` (resolvconf -a's record). */
  readonly inputs: (string | undefined)[];
  /** Only the commands that change something (queries filtered out). */
  changes(): string[][];
  resolvConf: string;
  readonly resolvConfWrites: string[];
  resolved: boolean;
  /** resolv.conf's shape for resolver detection; by default derived from `resolved` and `resolvConf`. */
  shape: ResolvConfShape | undefined;
  nsswitchResolve: boolean;
}

const OK: CommandResult = { code: 0, stdout: '', stderr: '' };

/** Defaults: a machine with lo and eth0, the server reachable via 192.0.2.1 on eth0, links are TUNs. */
export function defaultResponder(program: Program, args: readonly string[]): Partial<CommandResult> | undefined {
  if (program !== 'ip') return undefined;
  const a = args.join(' ');
  if (a === '-j link show') return { stdout: JSON.stringify([{ ifname: 'lo' }, { ifname: 'eth0' }]) };
  if (a.startsWith('-j link show dev ')) return { stdout: JSON.stringify([{ ifindex: 7, ifname: args[4] }]) };
  if (a.startsWith('-j route get '))
    return { stdout: JSON.stringify([{ dst: args[3], gateway: '192.0.2.1', dev: 'eth0', prefsrc: '192.0.2.10' }]) };
  if (a.startsWith('-j -d link show dev '))
    return { stdout: JSON.stringify([{ ifname: args[5], linkinfo: { info_kind: 'tun' } }]) };
  return undefined;
}

export function fakeSystem(responder: Responder = () => undefined): FakeSystem {
  const calls: string[][] = [];
  const inputs: (string | undefined)[] = [];
  const runner: CommandRunner = {
    has: () => true,
    run(program, args, input) {
      calls.push([program, ...args]);
      inputs.push(input);
      const r = responder(program, args) ?? fibmatch(calls, program, args) ?? defaultResponder(program, args);
      return Promise.resolve({ ...OK, ...r });
    },
  };
  const system: FakeSystem = {
    runner,
    calls,
    inputs,
    // Queries are not changes: `ip -j …` reads, and resolver detection's `resolvectl --no-pager dns`.
    changes: () =>
      calls.filter((c) => !(c[0] === 'ip' && c[1] === '-j') && !(c[0] === 'resolvectl' && c[1] === '--no-pager')),
    resolvConf: 'nameserver 192.0.2.53\noptions edns0\n',
    resolvConfWrites: [],
    resolved: false,
    shape: undefined,
    nsswitchResolve: false,
    resolvedActive: () => system.resolved,
    resolvConfShape: () =>
      system.shape ??
      (system.resolved
        ? { kind: 'symlink', target: '/run/systemd/resolve/stub-resolv.conf' }
        : { kind: 'file', nameservers: nameserversOf(system.resolvConf), generatedByResolvconf: false }),
    nsswitchHostsUseResolve: () => system.nsswitchResolve,
    readResolvConf: () => system.resolvConf,
    writeResolvConf(text) {
      system.resolvConfWrites.push(text);
      system.resolvConf = text;
    },
  };
  return system;
}

export function memoryStore(): StateStore & { saved: (readonly UndoStep[])[]; removed: number } {
  const store = {
    saved: [] as (readonly UndoStep[])[],
    removed: 0,
    save(steps: readonly UndoStep[]) {
      store.saved.push([...steps]);
    },
    remove() {
      store.removed++;
    },
  };
  return store;
}

/**
 * `ip -j route get fibmatch A` answered from the routes added so far (main's `route add C dev D` and
 * our table's `route replace default|unreachable default`; deletions are not modelled): the longest
 * prefix containing A, our table's default above main's default (the policy rules). Nothing: the
 * uplink's default, so a tunnel that captured nothing fails its verification as it would for real.
 */
function fibmatch(
  calls: readonly string[][],
  program: Program,
  args: readonly string[],
): Partial<CommandResult> | undefined {
  if (program !== 'ip' || args.join(' ').indexOf('-j route get fibmatch ') !== 0) return undefined;
  const target = parseIp(args[4] ?? '');
  if (target === undefined) return { code: 1, stderr: 'Error: inet prefix is expected' };
  let best: { prefix: number; dst: string; dev?: string; unreachable?: boolean } | undefined;
  for (const c of calls) {
    const v6 = c[1] === '-6';
    const rest = v6 ? c.slice(2) : c.slice(1);
    if (rest[0] !== 'route') continue;
    let found: typeof best;
    if (rest[1] === 'add' && rest[3] === 'dev') {
      const cidr = parseCidr(rest[2] ?? '');
      if (cidr.ok && cidrContains(cidr.cidr, target))
        found = { prefix: cidr.cidr.prefix, dst: rest[2] ?? '', dev: rest[4] };
    } else if (rest[1] === 'replace' && (target.family === 6) === v6) {
      // Our table, behind `lookup main suppress_prefixlength 1`: it beats main's /0 only.
      found =
        rest[2] === 'unreachable'
          ? { prefix: 0.5, dst: 'default', unreachable: true }
          : { prefix: 0.5, dst: 'default', dev: rest[4] };
    }
    if (found !== undefined && (best === undefined || found.prefix >= best.prefix)) best = found;
  }
  if (best?.unreachable === true) return { code: 2, stderr: 'RTNETLINK answers: No route to host' };
  const route =
    best === undefined ? { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' } : { dst: best.dst, dev: best.dev };
  return { stdout: JSON.stringify([route]) };
}
