// Drives `causeway connect` (the built CLI, as root in the client namespace) through each state the
// leak suite probes, and probes it there. Each step checks that the state held for the whole probe
// (a "connecting" row taken after the tunnel came up would prove nothing).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';
import { startCliProcess, type CliProcess } from '../support/cli-process.js';
import type { Lab } from './lab.js';
import { classifyAll, type KillSwitch, type Row, type StateId } from './verdicts.js';

const UP_TIMEOUT_MS = 60_000;

export interface Driver {
  /** Whether this build of the CLI has `--kill-switch` at all. */
  readonly killSwitchAvailable: boolean;
  /** Connecting, full tunnel, reconnecting, engine SIGKILLed: one connect through all four. */
  fullTunnelLife(ks: KillSwitch): Promise<Row[]>;
  /** Split tunnel, then a clean disconnect. */
  splitThenDisconnect(ks: KillSwitch): Promise<Row[]>;
  control(): Promise<Row>;
}

export async function driver(lab: Lab): Promise<Driver> {
  const home = mkdtempSync(join(tmpdir(), 'cw-leaks-home-'));
  // Own config and state folders: no global kill-switch setting or profile of this machine applies.
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
  };
  const help = await runCli(['connect', '--help'], undefined, { env });
  const killSwitchAvailable = help.stdout.includes('--kill-switch');
  const { client, server } = lab;
  const originalResolv = readFileSync(client.resolvConfPath, 'utf8');

  const connect = (ks: KillSwitch, split: boolean): CliProcess =>
    startCliProcess(
      ['ip', 'netns', 'exec', client.name],
      [
        'connect',
        client.serverAddress,
        '--user',
        server.users.username,
        '--pin',
        `sha256:${server.certDerSha256}`,
        '--password-stdin',
        '--json',
        ...(split ? ['--no-default-route', '--route', '192.168.30.0/24'] : []),
        ...(killSwitchAvailable ? ['--kill-switch', ks] : []),
      ],
      server.users.password,
      env,
    );

  const probeRow = async (state: StateId, ks: KillSwitch): Promise<Row> => {
    const r = await lab.probe(`${state}-${ks}`);
    return { state, killSwitch: ks, verdicts: classifyAll(r.nonce, r.outer, r.inner), local: r.local };
  };

  /** With a kill switch, the row is only meaningful once the switch says it is armed. */
  const armed = async (cli: CliProcess, ks: KillSwitch) => {
    if (ks === 'off') return;
    await cli.waitFor((e) => e['event'] === 'kill-switch' && e['state'] === 'armed', UP_TIMEOUT_MS);
  };

  const since = (cli: CliProcess, from: number, event: string) =>
    cli.events.slice(from).some((e) => e['event'] === event);

  const waitGone = async (iface: string) => {
    for (let i = 0; i < 100; i++) {
      if (!(await client.links()).includes(iface)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${iface} still exists 20 s after the engine died: the helper did not clean up`);
  };

  const unblock = async () => {
    const u = startCliProcess(['ip', 'netns', 'exec', client.name], ['unblock'], '', env);
    const code = await u.exited;
    if (code !== 0) throw new Error(`causeway unblock failed (${code})\n${u.output()}`);
  };

  const assertResolvRestored = (when: string) => {
    const now = readFileSync(client.resolvConfPath, 'utf8');
    if (now !== originalResolv) throw new Error(`resolv.conf not restored ${when}:\n${now}`);
  };

  return {
    killSwitchAvailable,
    control: () => probeRow('control', 'off'),

    async fullTunnelLife(ks) {
      const rows: Row[] = [];
      await lab.holdServer(true);
      let cli = connect(ks, false);
      try {
        await cli.waitFor((e) => e['event'] === 'connecting', UP_TIMEOUT_MS);
        await armed(cli, ks);
        rows.push(await probeRow('connecting', ks));
        if (since(cli, 0, 'connected') || cli.child.exitCode !== null)
          throw new Error(`the tunnel left "connecting" during the probe\n${cli.output()}`);
        await lab.holdServer(false);
        // The held SYN is retried on its own; if the retry falls past the connect timeout, that first
        // attempt ends (a first failure is final) and a fresh connect brings the tunnel up.
        try {
          await cli.waitFor((e) => e['event'] === 'connected', UP_TIMEOUT_MS);
        } catch {
          cli.child.kill('SIGKILL');
          await cli.exited;
          if (ks !== 'off') await unblock();
          cli = connect(ks, false);
          await cli.waitFor((e) => e['event'] === 'connected', UP_TIMEOUT_MS);
        }
        const up = cli.events.find((e) => e['event'] === 'connected');
        const iface = String(up?.['interface']);
        rows.push(await probeRow('full', ks));

        const before = cli.events.length;
        await server.kill();
        await cli.waitFor((e) => e['event'] === 'reconnecting', UP_TIMEOUT_MS, before);
        rows.push(await probeRow('reconnecting', ks));
        if (since(cli, before, 'connected')) throw new Error('the tunnel came back during the reconnecting probe');
        const down = cli.events.length;
        await server.restart();
        await cli.waitFor((e) => e['event'] === 'connected', UP_TIMEOUT_MS, down);

        cli.child.kill('SIGKILL');
        await cli.exited;
        await waitGone(iface);
        if (ks === 'off') assertResolvRestored('after the engine was killed');
        rows.push(await probeRow('killed', ks));
        if (ks !== 'off') await unblock();
        return rows;
      } finally {
        cli.child.kill('SIGKILL');
        await lab.holdServer(false);
      }
    },

    async splitThenDisconnect(ks) {
      const rows: Row[] = [];
      const cli = connect(ks, true);
      try {
        await cli.waitFor((e) => e['event'] === 'connected', UP_TIMEOUT_MS);
        await armed(cli, ks);
        rows.push(await probeRow('split', ks));
        cli.child.kill('SIGTERM');
        const code = await cli.exited;
        if (code !== 0) throw new Error(`connect did not stop cleanly on SIGTERM (${code})\n${cli.output()}`);
        assertResolvRestored('after disconnect');
        rows.push(await probeRow('disconnected', ks));
        if (ks === 'always') await unblock();
        return rows;
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  };
}
