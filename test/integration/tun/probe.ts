// Test side of fixtures/tun-probe.ts: send commands, await replies and events.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HelperClient } from '../../../main/helper/client/client.js';
import { IP } from '../helper/netns.js';

export type ProbeMessage = { id?: number; event?: string } & Record<string, unknown>;

export class Probe {
  private readonly child: ChildProcess;
  private nextId = 1;
  readonly messages: ProbeMessage[] = [];
  private waiters: (() => void)[] = [];

  /**
   * Starts as root (so its modules load whatever the checkout's permissions); `drop` makes it
   * unprivileged. `tunFd` becomes its fd 3, for `open`.
   */
  constructor(ns: string, env: Record<string, string> = {}, tunFd?: number) {
    const node = [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'fixtures', 'tun-probe.ts')];
    this.child = spawn(IP, ['netns', 'exec', ns, ...node], {
      stdio: tunFd === undefined ? ['pipe', 'pipe', 'inherit'] : ['pipe', 'pipe', 'inherit', tunFd],
      env: { ...process.env, ...env },
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.messages.push(JSON.parse(line) as ProbeMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** A probe holding the TUN `name` that `helper` created: the helper hands it over to the test, the test to the probe. */
  static async handed(
    ns: string,
    helper: HelperClient,
    name: string,
    options: { offload?: boolean; env?: Record<string, string> } = {},
  ): Promise<Probe> {
    const tun = await helper.openTun({ name, ...(options.offload === undefined ? {} : { offload: options.offload }) });
    try {
      return new Probe(ns, options.env, tun.fd);
    } finally {
      // The probe has its own copy from spawn; ours would keep the queue attached after it closes.
      helper.closeTun(tun);
    }
  }

  async call(op: string, args: Record<string, unknown> = {}, timeoutMs = 3000): Promise<ProbeMessage> {
    const id = this.nextId++;
    this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    return this.until(`reply to ${op}`, (m) => m.id === id, timeoutMs);
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

  async waitForCount(
    name: string,
    count: number,
    timeoutMs = 3000,
    sum: (m: ProbeMessage) => number = () => 1,
  ): Promise<ProbeMessage[]> {
    await this.until(`${count} ${name}`, () => this.events(name).reduce((n, m) => n + sum(m), 0) >= count, timeoutMs);
    return this.events(name);
  }

  async stop(): Promise<void> {
    this.child.stdin!.end();
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r));
  }
}
