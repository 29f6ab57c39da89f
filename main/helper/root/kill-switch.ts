// The kill switch inside the helper: arms (or re-arms) the `inet causeway` table, keeps it in step
// with the tunnel's interface, and removes it only when told to.
//
// How the helper tells "the user disconnected" from "the engine died": only the explicit
// kill-switch-disarm verb removes the table. The teardown verb, stdin closing (the app or the
// `causeway connect` exited or was killed) and SIGTERM undo routes, DNS, addresses and the TUN, and
// leave the table standing, journaled, so a crash can never open the way around the tunnel. The
// next helper that starts in this network namespace takes the table over (adopt) and its client
// decides: arm again (a new connection with the switch on), or disarm (a connection with the switch
// off, or `causeway unblock`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CommandResult } from './command-runner.js';
import type { Journal } from './journal.js';
import {
  KILL_SWITCH_FAMILY,
  KILL_SWITCH_TABLE,
  killSwitchScript,
  type KillSwitchEndpoint,
  type KillSwitchPolicy,
} from './kill-switch-rules.js';
import type { StepResult } from './step-result.js';
import type { UndoStep } from './undo-step.js';

/** nft, reading a script on stdin, and listing our table. Tests substitute a recorder. */
export interface NftRunner {
  /** `nft -f -` with `script` on stdin. Never rejects. */
  apply(script: string): Promise<CommandResult>;
  /** `nft -j list table inet causeway`: code 0 when the table exists. */
  listTable(): Promise<CommandResult>;
}

const NFT_CANDIDATES = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'];
const NFT_TIMEOUT_MS = 10_000;

export function systemNft(): NftRunner {
  const file = NFT_CANDIDATES.find((p) => existsSync(p));
  const run = (args: readonly string[], input: string): Promise<CommandResult> => {
    if (file === undefined)
      return Promise.resolve({ code: 127, stdout: '', stderr: 'nft is not installed (Debian/Ubuntu: nftables)' });
    return new Promise((resolve) => {
      const child = spawn(file, [...args], {
        shell: false,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), NFT_TIMEOUT_MS);
      child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(0, 1024 * 1024)));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(0, 64 * 1024)));
      child.stdin.on('error', () => {}); // it exited before reading: its status says why
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ code: 127, stdout, stderr: e.message });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input);
    });
  };
  return {
    apply: (script) => run(['-f', '-'], script),
    listTable: () => run(['-j', 'list', 'table', KILL_SWITCH_FAMILY, KILL_SWITCH_TABLE], ''),
  };
}

export type KillSwitchState =
  | { readonly state: 'off' }
  /** Found in place at start (a killed run's, or an always-on one's): blocking, rules unknown to us. */
  | { readonly state: 'adopted' }
  | { readonly state: 'armed'; readonly policy: KillSwitchPolicy };

type Outcome = StepResult<Record<string, unknown>>;

export class KillSwitch {
  private current: KillSwitchState = { state: 'off' };
  private step: UndoStep | undefined;

  constructor(
    private readonly nft: NftRunner,
    private readonly journal: Journal,
    private readonly log: (m: string) => void,
  ) {}

  get state(): KillSwitchState {
    return this.current;
  }

  /** At start: a table already there is ours to keep blocking with until a client decides. */
  async adopt(): Promise<boolean> {
    const r = await this.nft.listTable();
    if (r.code !== 0) return false;
    this.ensureStep();
    this.current = { state: 'adopted' };
    this.log('a kill switch left in place by an earlier run is still blocking; keeping it');
    return true;
  }

  /** Replaces the whole table (atomically) with one for these endpoints and the current tunnel. */
  async arm(endpoints: readonly KillSwitchEndpoint[], allowLan: boolean, tunnel: string | undefined): Promise<Outcome> {
    const policy: KillSwitchPolicy = { endpoints, allowLan, ...(tunnel === undefined ? {} : { tunnel }) };
    const fresh = this.step === undefined;
    this.ensureStep();
    const r = await this.nft.apply(killSwitchScript(policy));
    if (r.code !== 0) {
      // A failed transaction changed nothing: an earlier table (ours) still stands, or none does.
      if (fresh && this.current.state === 'off') this.dropStep();
      return { ok: false, error: { code: 'failed', message: `nft: ${firstLine(r.stderr)}` } };
    }
    this.current = { state: 'armed', policy };
    return { ok: true, value: { tunnel: tunnel ?? null } };
  }

  /** The tunnel's interface came (or changed): let it through. */
  async tunnelChanged(tunnel: string): Promise<Outcome> {
    const c = this.current;
    if (c.state !== 'armed' || c.policy.tunnel === tunnel) return { ok: true, value: {} };
    return this.arm(c.policy.endpoints, c.policy.allowLan, tunnel);
  }

  /** The user's decision: traffic flows outside the tunnel again. */
  async disarm(): Promise<Outcome> {
    const r = await this.nft.apply(`delete table ${KILL_SWITCH_FAMILY} ${KILL_SWITCH_TABLE}\n`);
    // No table, or no nft at all (then there cannot be one): nothing to remove either way.
    const gone = r.code === 0 || r.code === 127 || /No such file or directory/.test(r.stderr);
    if (!gone) return { ok: false, error: { code: 'failed', message: `nft: ${firstLine(r.stderr)}` } };
    const removed = r.code === 0;
    this.dropStep();
    this.current = { state: 'off' };
    return { ok: true, value: { removed } };
  }

  private ensureStep(): void {
    if (this.step !== undefined) return;
    this.step = { kind: 'delete-kill-switch', group: 'kill-switch' };
    this.journal.record(this.step);
  }

  private dropStep(): void {
    if (this.step !== undefined) this.journal.forget(this.step);
    this.step = undefined;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'failed';
  return line.trim().slice(0, 200);
}
