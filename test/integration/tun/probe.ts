// Test side of fixtures/tun-probe.ts: send commands, await replies and events.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { IP } from '../helper/netns.js';

export type ProbeMessage = { id?: number; event?: string } & Record<string, unknown>;

export class Probe {
  private readonly child: ChildProcess;
  private nextId = 1;
  readonly messages: ProbeMessage[] = [];
  private waiters: (() => void)[] = [];

  /** `asUid`: run unprivileged, as that uid and gid, with no capabilities. */
  constructor(ns: string, env: Record<string, string> = {}, asUid?: number) {
    const drop = asUid === undefined ? [] : ['/usr/bin/setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups'];
    const node = [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'fixtures', 'tun-probe.ts')];
    this.child = spawn(IP, ['netns', 'exec', ns, ...drop, ...node], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.messages.push(JSON.parse(line) as ProbeMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async call(op: string, args: Record<string, unknown> = {}): Promise<ProbeMessage> {
    const id = this.nextId++;
    this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    return this.until(`reply to ${op}`, (m) => m.id === id);
  }

  events(name: string): ProbeMessage[] {
    return this.messages.filter((m) => m.event === name);
  }

  async until(what: string, match: (m: ProbeMessage) => boolean, timeoutMs = 3000): Promise<ProbeMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`probe: no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitForCount(name: string, count: number, timeoutMs = 3000, sum: (m: ProbeMessage) => number = () => 1): Promise<ProbeMessage[]> {
    await this.until(`${count} ${name}`, () => this.events(name).reduce((n, m) => n + sum(m), 0) >= count, timeoutMs);
    return this.events(name);
  }

  async stop(): Promise<void> {
    this.child.stdin!.end();
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r));
  }
}
