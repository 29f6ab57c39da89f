// A client host for data-plane tests: its own network namespace, joined by a veth pair straight into
// the server's namespace, with a private /etc/netns/<name>/resolv.conf so DNS changes made inside it
// (by our privileged helper) never touch this machine's resolver.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { onProcessExit } from './cleanup.js';
import { createNetns, deleteNetns, deleteNetnsSync, run, runInNetns, tool, type RunResult } from './netns.js';

export interface ClientNetns {
  readonly name: string;
  /** The SSTP server's address as seen from the client namespace. */
  readonly serverAddress: string;
  readonly clientAddress: string;
  /** The resolv.conf the namespace sees (what `ip netns exec` bind-mounts over /etc/resolv.conf). */
  readonly resolvConfPath: string;
  readonly originalResolvConf: string;
  exec(
    file: string,
    args: readonly string[],
    options?: { allowFailure?: boolean; timeoutMs?: number },
  ): Promise<RunResult>;
  /** `ip -j route get <address>` inside the namespace. */
  routeGet(address: string): Promise<{ dev: string; gateway?: string }>;
  links(): Promise<string[]>;
  /** Makes the path to the server drop everything (veth down on the server side) or work again. */
  setLinkUp(up: boolean): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `index` (0..99) picks the subnet 10.210.<index>.0/24 and the names `cw-c<index>`, so tests can
 * run one client netns each without colliding. `serverNetns` null joins the client to this (host)
 * namespace instead, for a server that runs inside the test process (the strict peer).
 */
export async function startClientNetns(serverNetns: string | null, index = 0): Promise<ClientNetns> {
  const name = `cw-c${index}`;
  const clientIf = `cwc${index}-c`;
  const serverIf = `cwc${index}-s`;
  const serverAddress = `10.210.${index}.1`;
  const clientAddress = `10.210.${index}.2`;
  const ip = tool('ip');
  const resolvDir = `/etc/netns/${name}`;
  const resolvConfPath = `${resolvDir}/resolv.conf`;
  const originalResolvConf = `# test resolver for ${name}\nnameserver ${serverAddress}\n`;

  const inServer = serverNetns === null ? [] : ['-n', serverNetns];
  // Leftovers of a crashed run with the same names.
  deleteNetnsSync(name);
  await run(ip, [...inServer, 'link', 'delete', serverIf], { allowFailure: true });

  await createNetns(name);
  const unregister = onProcessExit(() => {
    deleteNetnsSync(name);
    rmSync(resolvDir, { recursive: true, force: true });
  });
  await run(ip, ['-n', name, 'link', 'set', 'lo', 'up']);
  await run(ip, [
    'link',
    'add',
    clientIf,
    'netns',
    name,
    'type',
    'veth',
    'peer',
    'name',
    serverIf,
    ...(serverNetns === null ? [] : ['netns', serverNetns]),
  ]);
  await run(ip, [...inServer, 'addr', 'add', `${serverAddress}/24`, 'dev', serverIf]);
  await run(ip, [...inServer, 'link', 'set', serverIf, 'up']);
  await run(ip, ['-n', name, 'addr', 'add', `${clientAddress}/24`, 'dev', clientIf]);
  await run(ip, ['-n', name, 'link', 'set', clientIf, 'up']);
  mkdirSync(resolvDir, { recursive: true });
  writeFileSync(resolvConfPath, originalResolvConf);

  const exec: ClientNetns['exec'] = (file, args, options = {}) => runInNetns(name, file, args, options);
  return {
    name,
    serverAddress,
    clientAddress,
    resolvConfPath,
    originalResolvConf,
    exec,
    async routeGet(address) {
      const r = await exec(ip, ['-j', 'route', 'get', address]);
      const [first] = JSON.parse(r.stdout) as { dev: string; gateway?: string }[];
      if (!first) throw new Error(`no route to ${address} in ${name}`);
      return first;
    },
    async links() {
      const r = await exec(ip, ['-j', 'link', 'show']);
      return (JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname);
    },
    async setLinkUp(up) {
      await run(ip, [...inServer, 'link', 'set', serverIf, up ? 'up' : 'down']);
    },
    async stop() {
      await deleteNetns(name);
      await run(ip, [...inServer, 'link', 'delete', serverIf], { allowFailure: true });
      rmSync(resolvDir, { recursive: true, force: true });
      unregister();
    },
  };
}

export function readResolvConf(c: ClientNetns): string {
  return readFileSync(c.resolvConfPath, 'utf8');
}
