// The e2e fixture for real tunnels: SoftEther (with its local bridge, 192.168.30.5 behind the hub), a
// client network namespace joined to it by a veth, and the browser host running INSIDE that namespace
// with the system data plane, so the helper's TUN, routes and DNS land there and nowhere else.
// Chromium must run in the same namespace (the spec's executable wrapper) to reach the host's loopback.
// Prints one JSON line, then serves until stdin closes or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { run, tool } from '../harness/netns.js';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../harness/softether.js';

/** The spec names the namespace before anything starts (Chromium's wrapper is fixed at load). */
const INDEX = Number(process.env['CAUSEWAY_E2E_NETNS_INDEX'] ?? '7');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const skip = integrationSkip();
let server: SoftEtherServer | undefined;
let client: ClientNetns | undefined;
let host: ChildProcess | undefined;
// The product host keeps its data in the XDG home: give it a throwaway one, not root's.
const dataHome = await mkdtemp(join(tmpdir(), 'causeway-e2e-dp-'));

async function stop(): Promise<void> {
  if (host && host.exitCode === null) {
    // The host disconnects its tunnels on SIGTERM, which closes the helper, which undoes the system.
    const exited = once(host, 'exit');
    host.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    host.kill('SIGKILL');
  }
  await client?.stop().catch(() => {});
  await server?.stop().catch(() => {});
  await rm(dataHome, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();

async function startHostIn(netns: string): Promise<string> {
  const child = spawn(
    tool('ip'),
    [
      'netns',
      'exec',
      netns,
      process.execPath,
      '--import',
      'tsx',
      'main/browser-host/main.ts',
      '--memory-keychain',
      '--data-plane',
      'system',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, XDG_CONFIG_HOME: join(dataHome, 'config'), XDG_STATE_HOME: join(dataHome, 'state') },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  host = child;
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the browser host exited with ${code}`)));
  });
  return (JSON.parse(first) as { url: string }).url;
}

try {
  if (skip !== false) {
    process.stdout.write(`${JSON.stringify({ skip })}\n`);
  } else {
    server = await startSoftEther({ name: 'cw-e2e-dp', bridge: true });
    // More addresses behind the hub (CAUSEWAY_E2E_EXTRA_ADDRESSES=a,b): one per split profile, so each
    // profile's route leads somewhere that answers.
    const extra = (process.env['CAUSEWAY_E2E_EXTRA_ADDRESSES'] ?? '').split(',').filter((a) => a !== '');
    for (const a of extra) await run(tool('ip'), ['-n', server.netns, 'addr', 'add', `${a}/32`, 'dev', 'tap_soft']);
    client = await startClientNetns(server.netns, INDEX);
    const url = await startHostIn(client.name);
    process.stdout.write(
      `${JSON.stringify({
        url,
        netns: client.name,
        bridgeAddress: server.bridgeAddress,
        softether: {
          host: client.serverAddress,
          port: server.port,
          username: server.users.username,
          password: server.users.password,
          sha256: server.certDerSha256,
        },
        skip: null,
      })}\n`,
    );
  }
} catch (e) {
  process.stderr.write(`e2e netns host failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  await stop();
}
