// A real systemd-resolved for DNS tests, without systemd as PID 1 and without installing it: the
// Debian package extracted privately (debs.ts), run as a plain daemon inside a resolver world
// (resolver-world.ts) with its own system D-Bus (dbus-daemon with a test policy on
// /run/dbus/system_bus_socket, where resolved and resolvectl look). resolved needs no systemd
// beyond its shared library (from the machine's systemd package, or extracted too): run as root it
// resolves its `systemd-resolve` user (added to the world's private /etc/passwd), drops to it keeping
// CAP_NET_BIND_SERVICE, creates /run/systemd/resolve and serves the stub on 127.0.0.53.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractedPackage } from './debs.js';
import { sleep, tool } from './netns.js';
import { startResolverWorld, type ResolverWorld } from './resolver-world.js';

const SHARED_LIB_DIR = '/usr/lib/x86_64-linux-gnu/systemd';

export interface ResolvedWorld extends ResolverWorld {
  /** What a user sees: `resolvectl status`, /etc/resolv.conf's link and the stub file, for byte-for-byte comparison. */
  snapshot(): Promise<string>;
  /** resolved's own log so far (for failure messages). */
  log(): string;
}

/** `globalDns`: resolved.conf's DNS= (the "ISP" resolver the machine had before the tunnel). */
export async function startResolved(netns: string, globalDns: string): Promise<ResolvedWorld> {
  const resolved = await extractedPackage('systemd-resolved');
  const overlays = [resolved];
  const env: NodeJS.ProcessEnv = { SYSTEMD_LOG_LEVEL: 'info', SYSTEMD_LOG_TARGET: 'console' };
  // No systemd on this machine: its package's shared library is laid over /usr/lib too (resolvectl,
  // run by the helper with a fixed environment, needs it at its usual place).
  if (!existsSync(join(SHARED_LIB_DIR, 'libsystemd-shared-252.so'))) overlays.push(await extractedPackage('systemd'));
  const world = await startResolverWorld({
    netns,
    overlays,
    setup: [
      "grep -q '^systemd-resolve:' /etc/passwd || echo 'systemd-resolve:x:991:991:resolved:/:/usr/sbin/nologin' >> /etc/passwd",
      "grep -q '^systemd-resolve:' /etc/group || echo 'systemd-resolve:x:991:' >> /etc/group",
      // As on a desktop with resolved: resolv.conf is the stub file's symlink.
      'rm -f /etc/resolv.conf && ln -s ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf',
      'mkdir -p /etc/systemd /run/systemd',
      `printf '[Resolve]\\nDNS=${globalDns}\\nFallbackDNS=\\nLLMNR=no\\nMulticastDNS=no\\nDNSSEC=no\\nDNSOverTLS=no\\nCache=no\\n' > /etc/systemd/resolved.conf`,
    ],
  });
  const busConf = join(world.dir, 'system-bus.conf');
  writeFileSync(busConf, BUS_POLICY);
  const bus = world.daemon(tool('dbus-daemon'), [`--config-file=${busConf}`, '--nofork', '--nopidfile']);
  let log = '';
  bus.stderr?.on('data', (d: Buffer) => (log += `dbus: ${d.toString()}`));
  await waitUntil(world, 'the test system bus', ['/bin/sh', '-c', 'test -S /run/dbus/system_bus_socket']);
  const daemon = world.daemon('/usr/lib/systemd/systemd-resolved', [], env);
  daemon.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  daemon.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await waitUntil(world, 'systemd-resolved on the bus', ['/usr/bin/resolvectl', '--no-pager', 'dns'], () => log);
  return {
    ...world,
    log: () => log,
    snapshot: () =>
      world.sh(
        // netif/ holds per-link state resolved keeps for bus clients' settings (empty or absent: none).
        'resolvectl --no-pager status; echo "--- resolv.conf -> $(readlink /etc/resolv.conf)"; cat /etc/resolv.conf; echo "--- uplink"; cat /run/systemd/resolve/resolv.conf; echo "--- netif"; ls -A /run/systemd/resolve/netif 2>/dev/null || true',
      ),
  };
}

async function waitUntil(
  world: ResolverWorld,
  what: string,
  argv: string[],
  log: () => string = () => '',
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await world.exec(argv[0] ?? 'true', argv.slice(1), { allowFailure: true });
    if (r.code === 0) return;
    await sleep(50);
  }
  await world.stop();
  throw new Error(`${what}: not up within 5 s\n${log()}`);
}

// Only the test's root processes and resolved's own user are on this bus: everything is allowed.
const BUS_POLICY = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;
