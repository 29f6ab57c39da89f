// A DNS server inside the SSTP server's namespace (on SoftEther's bridge address), answering one
// test name that therefore resolves only through the tunnel; every query it gets is logged with its
// source, so a test can tell a query that came through the tunnel from one that leaked.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { sleep, tool } from './netns.js';
import { makeOwnedDir } from './state.js';

export interface Dnsmasq {
  readonly address: string;
  /** Names it answers, with their address. */
  readonly names: Readonly<Record<string, string>>;
  /** `query[A] name from 192.168.30.x` lines so far. */
  queries(): string[];
  stop(): Promise<void>;
}

export async function startDnsmasq(netns: string, address: string, names: Record<string, string>): Promise<Dnsmasq> {
  const dir = makeOwnedDir('dnsmasq');
  const logFile = join(dir, 'queries.log');
  writeFileSync(logFile, '');
  const args = [
    'netns',
    'exec',
    netns,
    tool('dnsmasq'),
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    `--listen-address=${address}`,
    '--except-interface=lo',
    `--pid-file=${join(dir, 'pid')}`,
    '--user=root',
    '--group=root',
    '--log-queries',
    `--log-facility=${logFile}`,
    ...Object.entries(names).map(([n, a]) => `--address=/${n}/${a}`),
  ];
  const child = spawn(tool('ip'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const unregister = onProcessExit(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; ; i++) {
    if (/started, version/.test(readFileSync(logFile, 'utf8'))) break;
    if (child.exitCode !== null || i > 100)
      throw new Error(`dnsmasq did not start: ${err}${readFileSync(logFile, 'utf8')}`);
    await sleep(50);
  }
  return {
    address,
    names,
    queries: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => /query\[/.test(l)),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      unregister();
    },
  };
}
