// The leak suite's world, after Mullvad's test framework: the real SoftEther server in its namespace,
// which also plays "the LAN and the Internet" (the client's default gateway, its ISP resolver, an
// Internet host on both families, a public resolver), and a client namespace whose only way out is
// one veth into it. A listener on the outer end of that veth records every packet arriving outside
// the tunnel; another, on every interface of the client, sees what went into the TUN.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { run, tool } from '../harness/netns.js';
import { startSoftEther, type SoftEtherServer } from '../harness/softether.js';
import { startCapture } from './capture.js';
import type { IpPacket } from './pcap.js';
import { TARGETS } from './probes.js';

export const LAB_INDEX = 40;
const PROBE_MAIN = fileURLToPath(new URL('./probe-main.ts', import.meta.url));

export interface ProbeRun {
  readonly nonce: string;
  readonly outer: readonly IpPacket[];
  readonly inner: readonly IpPacket[];
  readonly local: Readonly<Record<string, string>>;
}

export interface Lab {
  readonly server: SoftEtherServer;
  readonly client: ClientNetns;
  /** The client's IPv6 address on the LAN (a ULA; the outer side is its IPv6 gateway). */
  readonly clientIpv6: string;
  /** Sends every probe from the client, with both listeners running, and returns what they saw. */
  probe(label: string): Promise<ProbeRun>;
  /** Makes the server's SSTP port silent (SYNs dropped) or answer again: "connecting" that lasts. */
  holdServer(hold: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startLab(): Promise<Lab> {
  const ip = tool('ip');
  const server = await startSoftEther({ name: 'cw-leak', bridge: true });
  let client: ClientNetns | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cw-leaks-'));
  try {
    client = await startClientNetns(server.netns, LAB_INDEX);
    const outerIf = `cwc${LAB_INDEX}-s`;
    const clientIf = `cwc${LAB_INDEX}-c`;
    const v6 = `fd00:cafe:${LAB_INDEX}::`;
    const srv = (args: readonly string[]) => run(ip, ['-n', server.netns, ...args]);
    const cli = (args: readonly string[]) => run(ip, ['-n', client!.name, ...args]);
    // The outer side owns the probes' destinations, so each gets its answer (reset, port unreachable,
    // echo reply) at once and nothing lingers into the next state's capture.
    for (const a of [TARGETS.internet4, TARGETS.fixedDns, TARGETS.systemDns])
      await srv(['addr', 'add', `${a}/32`, 'dev', 'lo']);
    await srv(['-6', 'addr', 'add', `${TARGETS.internet6}/128`, 'dev', 'lo']);
    await srv(['-6', 'addr', 'add', `${v6}1/64`, 'dev', outerIf, 'nodad']);
    // The client as on a dual-stack home LAN: both default routes via the outer side.
    await cli(['-6', 'addr', 'add', `${v6}2/64`, 'dev', clientIf, 'nodad']);
    await cli(['route', 'add', 'default', 'via', client.serverAddress]);
    await cli(['-6', 'route', 'add', 'default', 'via', `${v6}1`]);
    // The ISP's resolver, as the system had it before any VPN.
    writeFileSync(client.resolvConfPath, `# leak suite: the ISP's resolver\nnameserver ${TARGETS.systemDns}\n`);
  } catch (e) {
    await client?.stop().catch(() => undefined);
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const c = client;
  const nft = tool('nft');
  const holdTable = 'cw_leak_hold';
  return {
    server,
    client: c,
    clientIpv6: `fd00:cafe:${LAB_INDEX}::2`,
    async probe(label) {
      const nonce = randomBytes(8).toString('hex');
      const outer = await startCapture(server.netns, `cwc${LAB_INDEX}-s`, dir, `${label}-outer`);
      const inner = await startCapture(c.name, 'any', dir, `${label}-inner`).catch(async (e: unknown) => {
        await outer.stop();
        throw e;
      });
      let stdout: string;
      try {
        stdout = (await c.exec(process.execPath, ['--import', 'tsx', PROBE_MAIN, nonce], { timeoutMs: 30_000 })).stdout;
      } catch (e) {
        await outer.stop().catch(() => undefined);
        await inner.stop().catch(() => undefined);
        throw e;
      }
      // Retransmissions and late answers within a moment still count.
      await new Promise((r) => setTimeout(r, 300));
      const seenOuter = await outer.stop();
      const seenInner = await inner.stop();
      const local = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
      return { nonce, outer: seenOuter, inner: seenInner, local };
    },
    async holdServer(hold) {
      const inNs = (args: readonly string[], allowFailure = false) =>
        run(ip, ['netns', 'exec', server.netns, nft, ...args], { allowFailure });
      await inNs(['delete', 'table', 'inet', holdTable], true);
      if (!hold) return;
      const file = join(dir, 'hold.nft');
      writeFileSync(
        file,
        `table inet ${holdTable} {\n chain input {\n  type filter hook input priority 0; policy accept;\n  iifname "cwc${LAB_INDEX}-s" tcp dport 443 drop\n }\n}\n`,
      );
      await inNs(['-f', file]);
    },
    async stop() {
      await c.stop().catch(() => undefined);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
