// IPv6 for a SoftEther test server: a ULA /64 on its veth pair (both ends, no DAD wait), and nftables
// in the server's namespace to make one family's path to :443 silent (SYNs dropped: the broken-IPv6
// case happy eyeballs exists for) or refused (TCP reset). SoftEther listens on [::]:443 already
// (DisableIPv6Listener false), so an address added after it started is served at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SoftEtherServer } from './softether.js';
import { run, tool } from './netns.js';

export type PathState = 'open' | 'dropped' | 'refused';

export interface ServerIpv6 {
  /** The server's IPv6 address, reachable from the host namespace. */
  readonly serverAddress: string;
  readonly hostAddress: string;
  /** How TCP to the server's :443 over each family fares from now on (replaces earlier settings). */
  setPaths(paths: { readonly ipv6: PathState; readonly ipv4: PathState }): Promise<void>;
  /** Removes the rules (the addresses go with the veth when the server stops). */
  clear(): Promise<void>;
}

const TABLE = 'cw_paths';

export async function addServerIpv6(server: SoftEtherServer): Promise<ServerIpv6> {
  const ip = tool('ip');
  const nft = tool('nft');
  // The veth names and the subnet octet follow softether.ts: <name>-h (host side), <name>-s, 10.200.N.0/24.
  const octet = Number(server.host.split('.')[2]);
  const prefix = `fd00:c0:${octet.toString(16)}::`;
  const serverAddress = `${prefix}1`;
  const hostAddress = `${prefix}2`;
  await run(ip, [
    '-n',
    server.netns,
    '-6',
    'addr',
    'replace',
    `${serverAddress}/64`,
    'dev',
    `${server.name}-s`,
    'nodad',
  ]);
  await run(ip, ['-6', 'addr', 'replace', `${hostAddress}/64`, 'dev', `${server.name}-h`, 'nodad']);

  const inNs = (args: readonly string[], allowFailure = false) =>
    run(ip, ['netns', 'exec', server.netns, nft, ...args], { allowFailure });
  const rule = (family: 'ip' | 'ip6', daddr: string, state: PathState): string =>
    state === 'open'
      ? ''
      : `${family} daddr ${daddr} tcp dport 443 ${state === 'dropped' ? 'drop' : 'reject with tcp reset'}\n`;

  const clear = async () => {
    await inNs(['delete', 'table', 'inet', TABLE], true);
  };
  return {
    serverAddress,
    hostAddress,
    async setPaths(paths) {
      await clear();
      const rules = rule('ip6', serverAddress, paths.ipv6) + rule('ip', server.host, paths.ipv4);
      if (rules === '') return;
      // One ruleset file through -f: the rules are built from our own addresses, never from input.
      const ruleset = `table inet ${TABLE} {\n chain input {\n  type filter hook input priority 0; policy accept;\n  ${rules} }\n}\n`;
      const dir = mkdtempSync(join(tmpdir(), 'cw-nft-'));
      try {
        writeFileSync(join(dir, 'rules.nft'), ruleset);
        await inNs(['-f', join(dir, 'rules.nft')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    clear,
  };
}
