// The UDP transfers of ceiling.ts (--traffic udp): download = the endpoint writes prebuilt SSTP
// frames (UDP/IPv4, 1400-byte packets to port 9), the client's nft counts and drops them at input;
// upload = hping3 --flood (or udp-source.ts with --node-source) into the TUN for a fixed time, the
// endpoint counts what arrives. No TCP: nothing to coalesce, one TUN write per packet.
import { fileURLToPath } from 'node:url';
import { findExecutable, tool } from '../harness/netns.js';
import { FAR_ADDRESS, type CeilingEnv } from './ceiling-env.js';
import { next, nowUs, type Sample } from './ceiling-transfers.js';
import { schedDelta } from './schedstat.js';

const SOURCE = fileURLToPath(new URL('./udp-source.ts', import.meta.url));
export const UDP_IP_PACKET = 1400;
export const UDP_PACKETS_PER_CHUNK = 46;
const PAYLOAD_SHARE = (UDP_IP_PACKET - 28) / UDP_IP_PACKET;
const SSTP_FRAME = UDP_IP_PACKET + 8;
const HPING_SECONDS = 3;

/** hping3 (apt install hping3) when present, else the Node source (slower than the tunnel). */
export const useHping = (): boolean =>
  !process.argv.includes('--node-source') && findExecutable('hping3') !== undefined;

interface Report {
  seconds: number;
  cpu: { user: number; system: number };
}

export async function udpDown(env: CeilingEnv, ipBytes: number, windows: [number, number][]): Promise<Sample> {
  const { runner: r, endpoint: e } = env;
  r.send('mark');
  await next(r, 'marked');
  const far0 = env.farCpu();
  const sched0 = { client: env.clientSched(), far: env.farSched() };
  const t0 = nowUs();
  const rx = next(r, 'rx', 120_000);
  r.send(`wait-rx ${ipBytes}`);
  e.send(`down ${ipBytes}`);
  await rx;
  windows.push([t0, nowUs()]);
  r.send('report');
  const rep = (await next(r, 'report')) as unknown as Report;
  const far = env.farCpu() - far0;
  const clientWait = schedDelta(sched0.client, env.clientSched()).waitS / rep.seconds;
  const farWait = schedDelta(sched0.far, env.farSched()).waitS / rep.seconds;
  const payload = ipBytes * PAYLOAD_SHARE;
  const gb = payload / 1e9;
  const cpu = rep.cpu.user + rep.cpu.system;
  return {
    mbps: payload / 1e6 / rep.seconds,
    clientCpuPerGb: cpu / gb,
    appCpuPerGb: 0,
    farCpuPerGb: far / gb,
    farAppCpuPerGb: 0,
    clientBusy: cpu / rep.seconds,
    farBusy: far / rep.seconds,
    clientWait,
    farWait,
    counters: {},
  };
}

export async function udpUp(env: CeilingEnv, bytes: number, windows: [number, number][]): Promise<Sample> {
  const { runner: r, endpoint: e, ns } = env;
  e.send('mark');
  await next(e, 'marked');
  r.send('mark');
  await next(r, 'marked');
  const far0 = env.farCpu();
  const sched0 = { client: env.clientSched(), far: env.farSched() };
  const t0 = nowUs();
  if (useHping()) {
    // hping3 floods raw UDP packets from C, far faster than the tunnel: runs for a fixed time.
    const hping = [tool('hping3'), '--udp', '-p', '9', '-d', String(UDP_IP_PACKET - 28), '--flood', '-q', FAR_ADDRESS];
    await ns.exec(tool('timeout'), ['--signal=INT', String(HPING_SECONDS), tool('taskset'), '-c', '1', ...hping], {
      timeoutMs: 60_000,
      allowFailure: true,
    });
  } else {
    const args = ['-c', '1', process.execPath, '--import', 'tsx', SOURCE, FAR_ADDRESS, String(bytes)];
    await ns.exec(tool('taskset'), [...args, String(UDP_IP_PACKET)], { timeoutMs: 120_000 });
  }
  // Wait until nothing more arrives: the tunnel may still be draining the TUN queue.
  let last = -1;
  let c: Record<string, unknown> = {};
  for (;;) {
    e.send('count');
    c = await next(e, 'count');
    if (c.bytes === last) break;
    last = c.bytes as number;
    await new Promise((res) => setTimeout(res, 100));
  }
  windows.push([t0, nowUs()]);
  r.send('report');
  const rep = (await next(r, 'report')) as unknown as Report;
  const far = env.farCpu() - far0;
  const clientWait = schedDelta(sched0.client, env.clientSched()).waitS / rep.seconds;
  const farWait = schedDelta(sched0.far, env.farSched()).waitS / rep.seconds;
  const payload = ((c.bytes as number) / SSTP_FRAME) * (UDP_IP_PACKET - 28);
  const gb = payload / 1e9;
  const seconds = c.activeSeconds as number;
  const cpu = rep.cpu.user + rep.cpu.system;
  return {
    mbps: payload / 1e6 / seconds,
    clientCpuPerGb: cpu / gb,
    appCpuPerGb: 0,
    farCpuPerGb: far / gb,
    farAppCpuPerGb: 0,
    clientBusy: cpu / rep.seconds,
    farBusy: far / rep.seconds,
    clientWait,
    farWait,
    counters: {},
  };
}
