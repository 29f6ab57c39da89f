// The probe program: run inside the client namespace (`ip netns exec`), it sends every probe of
// probes.ts once, at the same time, and prints one JSON line with what each saw locally (connected,
// refused, unreachable, timed out...). The capture, not this output, decides the verdict; the local
// result explains it (a kill switch's reject shows up as EHOSTUNREACH here and nothing outside).
// usage: node --import tsx test/leaks/probe-main.ts NONCE
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { dnsName, PORTS, TARGETS, udpPayload, type ProbeId } from './probes.js';

const nonce = process.argv[2] ?? '';
if (!/^[0-9a-f]{16}$/.test(nonce)) {
  process.stderr.write('usage: probe-main.ts NONCE (16 hex digits)\n');
  process.exit(2);
}
const WAIT_MS = 1500;

function errorCode(e: unknown): string {
  return (e as { code?: string }).code ?? String(e);
}

function tcp(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), WAIT_MS);
    s.once('connect', () => done('connected'));
    s.once('error', (e) => done(errorCode(e)));
  });
}

function udp(): Promise<string> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.send(udpPayload(nonce), PORTS.udp4, TARGETS.internet4, (e) => {
      // An ICMP port unreachable (or a reject) may come back as an error on the next tick.
      setTimeout(() => {
        s.close();
        resolve(e ? errorCode(e) : 'sent');
      }, 200);
    });
    s.once('error', (e) => {
      s.close();
      resolve(errorCode(e));
    });
  });
}

async function dns(which: 'sys' | 'fixed'): Promise<string> {
  const r = new Resolver({ timeout: WAIT_MS, tries: 1 });
  // 'sys': the servers of /etc/resolv.conf as this namespace sees it now (what the VPN set, or not).
  if (which === 'fixed') r.setServers([TARGETS.fixedDns]);
  try {
    await r.resolve4(dnsName(nonce, which));
    return 'answered';
  } catch (e) {
    return errorCode(e);
  }
}

function ping(family: 4 | 6, host: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ping', [`-${family}`, '-n', '-c', '1', '-W', '1', '-p', nonce, host], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(errorCode(e)));
    child.on('close', (code) => resolve(code === 0 ? 'reply' : err.trim().split('\n')[0] || `exit ${code}`));
  });
}

const probes: Record<ProbeId, Promise<string>> = {
  tcp4: tcp(TARGETS.internet4, PORTS.tcp4),
  udp4: udp(),
  'dns-system': dns('sys'),
  'dns-fixed': dns('fixed'),
  icmp4: ping(4, TARGETS.internet4),
  tcp6: tcp(TARGETS.internet6, PORTS.tcp6),
  icmp6: ping(6, TARGETS.internet6),
  'tcp-vpn-lan': tcp(TARGETS.vpnLan, PORTS.tcpVpnLan),
};
const out: Record<string, string> = {};
await Promise.all(Object.entries(probes).map(async ([id, p]) => (out[id] = await p)));
process.stdout.write(`${JSON.stringify(out)}\n`);
