// A real IPv6 router on SoftEther's bridged LAN: radvd on tap_soft in the server's namespace, with a
// global address of its own there, advertising one /64 (autonomous, on-link) and an RDNSS server.
// SoftEther's PPP server answers an SSTP client's IPv6CP only after it has seen a router on the hub
// (it sends a Router Solicitation and waits for the answer), and then relays this router's RAs over
// the PPP link: see docs/ipv6.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAndWait, spawnInNetns, tail, type ChildHandle } from './detached-child.js';
import { run, tool, waitFor } from './netns.js';
import { makeOwnedDir } from './state.js';

export interface Radvd {
  /** e.g. "2001:db8:5e7::" (the /64 advertised). */
  readonly prefix: string;
  /** The router's own global address on the LAN (prefix::1): a ping target behind the server. */
  readonly routerAddress: string;
  readonly rdnss: string;
  /** radvd's log so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface RadvdOptions {
  readonly netns: string;
  readonly device?: string;
  /** The /64 to advertise, e.g. "2001:db8:5e7::" */
  readonly prefix: string;
  /** Seconds between unsolicited RAs: radvd's minimum is 3..4. */
  readonly maxInterval?: number;
}

export async function startRadvd(o: RadvdOptions): Promise<Radvd> {
  const device = o.device ?? 'tap_soft';
  const max = o.maxInterval ?? 4;
  const routerAddress = `${o.prefix}1`;
  const rdnss = `${o.prefix}53`;
  const dir = makeOwnedDir('radvd');
  const conf = join(dir, 'radvd.conf');
  const log = join(dir, 'radvd.log');
  writeFileSync(
    conf,
    `interface ${device} {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval ${max};
  prefix ${o.prefix}/64 { AdvOnLink on; AdvAutonomous on; };
  RDNSS ${rdnss} { };
};
`,
  );
  writeFileSync(log, '');
  const ip = tool('ip');
  await run(ip, ['-n', o.netns, '-6', 'addr', 'replace', `${routerAddress}/64`, 'dev', device, 'nodad']);
  // radvd refuses to advertise as a router unless the namespace forwards IPv6.
  await run(ip, ['netns', 'exec', o.netns, tool('sysctl'), '-qw', 'net.ipv6.conf.all.forwarding=1']);
  const handle: ChildHandle = spawnInNetns(
    o.netns,
    [tool('radvd'), '--nodaemon', '--config', conf, '--logmethod', 'stderr', '--pidfile', join(dir, 'pid'), '-d', '1'],
    log,
    dir,
  );
  const output = () => readFileSync(log, 'utf8');
  await waitFor(
    'radvd to start advertising',
    () => {
      if (handle.child.exitCode !== null) throw new Error(`radvd exited: ${tail(output())}`);
      // The link-local address of the device must be usable (not tentative) before radvd can send.
      return /sending|version/i.test(output());
    },
    10_000,
    50,
  );
  return {
    prefix: o.prefix,
    routerAddress,
    rdnss,
    output,
    async stop() {
      await killAndWait(handle, 'radvd');
    },
  };
}
