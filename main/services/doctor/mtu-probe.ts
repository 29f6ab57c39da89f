// Path MTU through the tunnel: ICMP echoes with Don't Fragment set, of chosen sizes, to an address on
// the far side; binary search between a size that crosses and one that does not. A probe that gets no
// answer is sent once more before it counts as "does not cross", so one lost packet does not shrink
// the result. Sizes are whole IPv4 packets (header included), as an MTU is.
import { randomBytes } from 'node:crypto';
import type { MtuCheck, MtuProbe } from '../../contract/doctor.js';
import type { Clock } from '../../engine/clock.js';
import { buildEchoRequest, parseEchoReply, parseIpv4 } from '../../engine/packet/icmp.js';
import type { IpPacketPort } from '../../engine/packet/ping.js';

/** RFC 791: every IPv4 host must take 576-byte datagrams; below that the tunnel is unusable anyway. */
export const MIN_PROBE = 576;
const IPV4_ICMP_HEADERS = 28;
const IPV4_TCP_HEADERS = 40;

export interface MtuProbeOptions {
  readonly source: string;
  readonly target: string;
  /** The largest packet PPP allows: min(our MRU, the server's MRU). */
  readonly linkMtu: number;
  /** How long one probe waits for its echo. */
  readonly timeoutMs: number;
  readonly tries?: number;
}

export async function probePathMtu(port: IpPacketPort, clock: Clock, o: MtuProbeOptions): Promise<MtuCheck> {
  const probes: MtuProbe[] = [];
  const src = parseIpv4(o.source);
  const dst = parseIpv4(o.target);
  if (!src || !dst)
    return { ok: false, target: o.target, reason: `not IPv4 addresses: ${o.source} → ${o.target}`, probes };
  const tries = o.tries ?? 2;
  const id = randomBytes(2).readUInt16BE(0);
  let seq = 0;
  const crosses = async (size: number): Promise<boolean> => {
    for (let t = 0; t < tries; t++) {
      const passed = await echoOfSize(port, clock, src, dst, o.target, id, ++seq, size, o.timeoutMs);
      if (passed) {
        probes.push({ size, passed: true });
        return true;
      }
    }
    probes.push({ size, passed: false });
    return false;
  };
  const top = Math.max(MIN_PROBE, o.linkMtu);
  const done = (pathMtu: number): MtuCheck => ({
    ok: true,
    target: o.target,
    pathMtu,
    linkMtu: o.linkMtu,
    recommendedMru: pathMtu,
    recommendedMss: pathMtu - IPV4_TCP_HEADERS,
    probes,
  });
  if (await crosses(top)) return done(top);
  if (!(await crosses(MIN_PROBE)))
    return {
      ok: false,
      target: o.target,
      reason: `no echo reply from ${o.target} even for ${MIN_PROBE}-byte packets: it does not answer pings, or the path is broken`,
      probes,
    };
  let lo = MIN_PROBE;
  let hi = top;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await crosses(mid)) lo = mid;
    else hi = mid;
  }
  return done(lo);
}

function echoOfSize(
  port: IpPacketPort,
  clock: Clock,
  src: Buffer,
  dst: Buffer,
  target: string,
  id: number,
  seq: number,
  size: number,
  timeoutMs: number,
): Promise<boolean> {
  const payload = randomBytes(Math.max(0, size - IPV4_ICMP_HEADERS));
  return new Promise((resolve) => {
    const finish = (passed: boolean) => {
      timer.cancel();
      off();
      resolve(passed);
    };
    const off = port.onIpPacket((packet) => {
      const r = parseEchoReply(packet);
      if (
        r.ok &&
        r.value.identifier === id &&
        r.value.sequence === seq &&
        r.value.source === target &&
        r.value.payload.equals(payload)
      )
        finish(true);
    });
    const timer = clock.after(timeoutMs, () => finish(false));
    port.sendIp(buildEchoRequest(src, dst, id, seq, payload));
  });
}
