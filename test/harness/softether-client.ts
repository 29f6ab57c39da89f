// SoftEther's own VPN client (Debian's softether-vpnclient), connected with ONE TCP connection to a
// SoftEther server, inside a network namespace the caller made: the anchor for tunnel goodput.
// Needs root (bind mounts, namespaces).
//
// vpnclient has its state folders compiled in (/var/lib/softether, /var/log/softether,
// /run/softether), so it runs inside `unshare -m` with private folders bind-mounted over them (and
// over /etc/resolv.conf). It listens for vpncmd on 9931 inside the netns. Configuration follows
// ../shared/softether/README.md: every AccountDetailSet parameter given (otherwise vpncmd stops at a
// yes/no question and silently applies nothing), /NOQOS:yes (otherwise a second TCP connection).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { tail } from './detached-child.js';
import { debug, isAlive, netnsPids, run, runInNetns, tool, waitFor } from './netns.js';
import { daemonMounts, SOFTETHER_DIRS, withPrivateMounts } from './softether-mounts.js';
import { runVpncmd } from './softether-vpncmd.js';
import { makeOwnedDir } from './state.js';

export const VPNCLIENT = '/usr/libexec/softether/vpnclient/vpnclient';

export interface SoftEtherClientOptions {
  /** The namespace to run in (must reach `server`). */
  netns: string;
  /** Server address (port 443). */
  server: string;
  hub?: string;
  username?: string;
  password?: string;
  /** Virtual NIC name; the kernel device is `vpn_<nic>`. [a-z0-9]{1,10}. */
  nic?: string;
  /** Static address for the NIC, outside the server's DHCP pool. Default 192.168.30.250/24. */
  address?: string;
  /** How long to wait for the session to be established. Default 20 s. */
  connectTimeoutMs?: number;
}

export interface SoftEtherClient {
  /** Kernel device of the virtual NIC, e.g. vpn_bench. */
  readonly device: string;
  readonly address: string;
  /** pids of the vpnclient process(es) (for CPU accounting). */
  pids(): Promise<number[]>;
  vpncmd(cmds: readonly string[]): Promise<string>;
  /** Stops vpnclient and removes its private state. The netns stays (it is the caller's). Idempotent. */
  stop(): Promise<void>;
}

export async function startSoftEtherClient(opts: SoftEtherClientOptions): Promise<SoftEtherClient> {
  if (!existsSync(VPNCLIENT)) throw new Error(`missing ${VPNCLIENT} (apt package softether-vpnclient)`);
  const nic = opts.nic ?? 'bench';
  if (!/^[a-z0-9]{1,10}$/.test(nic)) throw new Error(`bad NIC name ${JSON.stringify(nic)}`);
  const hub = opts.hub ?? 'HUB1';
  const username = opts.username ?? 'testuser';
  const password = opts.password ?? 'testpass';
  const address = opts.address ?? '192.168.30.250/24';
  const device = `vpn_${nic}`;
  for (const v of [opts.server, hub, username, password, address]) {
    if (!/^[A-Za-z0-9._:/@\\-]+$/.test(v)) throw new Error(`unsafe value for vpncmd: ${JSON.stringify(v)}`);
  }

  const stateDir = makeOwnedDir('vpnclient');
  const dirs = {
    db: join(stateDir, 'db'),
    log: join(stateDir, 'log'),
    run: join(stateDir, 'run'),
    cmd: join(stateDir, 'vpncmd'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  for (const d of Object.values(SOFTETHER_DIRS)) mkdirSync(d, { recursive: true, mode: 0o755 });
  const resolv = join(stateDir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 127.0.0.1\n');
  const outFile = join(stateDir, 'vpnclient.out');

  // setpriv's parent-death signal takes vpnclient down even if we are SIGKILLed.
  const out = openSync(outFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(
      tool('ip'),
      [
        'netns',
        'exec',
        opts.netns,
        tool('setpriv'),
        '--pdeathsig',
        'KILL',
        '--',
        ...withPrivateMounts(daemonMounts(dirs, resolv), [VPNCLIENT, 'start', '--foreground']),
      ],
      { detached: true, stdio: ['ignore', out, out], cwd: stateDir },
    );
  } finally {
    closeSync(out);
  }
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn vpnclient');
  debug(`vpnclient pid ${pid} in ${opts.netns}`);
  const output = (): string => (existsSync(outFile) ? readFileSync(outFile, 'utf8') : '');

  const killAll = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  let stopped = false;
  const unregister = onProcessExit(() => {
    killAll();
    rmSync(stateDir, { recursive: true, force: true });
  });

  let vpncmdCount = 0;
  const vpncmd = (cmds: readonly string[]): Promise<string> =>
    runVpncmd(opts.netns, dirs.cmd, ++vpncmdCount, cmds, 'client');

  const pids = async (): Promise<number[]> => {
    const all = await netnsPids(opts.netns);
    return all.filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'vpnclient';
      } catch {
        return false;
      }
    });
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const before = await pids();
    killAll();
    for (const p of before) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await waitFor('vpnclient to exit', () => before.every((p) => !isAlive(p)), 5_000, 20).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    unregister();
  };

  try {
    await waitFor(
      `vpnclient listening on 9931 in ${opts.netns}`,
      async () => {
        if (child.exitCode !== null && (await pids()).length === 0)
          throw new Error(`vpnclient exited:\n${tail(output())}`);
        const r = await runInNetns(opts.netns, tool('ss'), ['-Htln', 'sport = :9931'], { allowFailure: true });
        return r.stdout.includes('9931');
      },
      15_000,
      50,
    );
    const cmds = [
      `NicCreate ${nic}`,
      `AccountCreate ${nic} /SERVER:${opts.server}:443 /HUB:${hub} /USERNAME:${username} /NICNAME:${nic}`,
      `AccountPasswordSet ${nic} /PASSWORD:${password} /TYPE:standard`,
      `AccountDetailSet ${nic} /MAXTCP:1 /INTERVAL:1 /TTL:0 /HALF:no /BRIDGE:no /MONITOR:no /NOTRACK:no /NOQOS:yes /DISABLEUDP:yes`,
      `AccountConnect ${nic}`,
    ];
    const text = await vpncmd(cmds);
    const ok = text.split('The command completed successfully.').length - 1;
    if (ok !== cmds.length)
      throw new Error(`vpncmd client configuration: ${ok}/${cmds.length} commands succeeded:\n${tail(text, 40)}`);
    let status = '';
    await waitFor(
      `SoftEther client session to ${opts.server}`,
      async () => {
        status = await vpncmd([`AccountStatusGet ${nic}`]);
        return /Session Established/i.test(status);
      },
      opts.connectTimeoutMs ?? 20_000,
      250,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${tail(status, 40)}`);
    });
    await run(tool('ip'), ['-n', opts.netns, 'addr', 'replace', address, 'dev', device]);
    await run(tool('ip'), ['-n', opts.netns, 'link', 'set', device, 'up']);
  } catch (error) {
    await stop();
    throw error;
  }
  return { device, address, pids, vpncmd, stop };
}
