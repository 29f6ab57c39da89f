// One ICMP echo through any IP packet interface (a session, later a TUN-less test path).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { buildEchoRequest, parseEchoReply, parseIpv4 } from './icmp.js';

export interface IpPacketPort {
  sendIp(packet: Buffer): void;
  /** Subscribe to received IP packets; returns an unsubscribe function. */
  onIpPacket(listener: (packet: Buffer) => void): () => void;
}

export type PingOutcome =
  | { readonly ok: true; readonly rttMs: number; readonly from: string }
  | { readonly ok: false; readonly reason: string };

export function pingOnce(
  port: IpPacketPort,
  clock: Clock,
  source: string,
  target: string,
  timeoutMs: number,
): Promise<PingOutcome> {
  const src = parseIpv4(source);
  const dst = parseIpv4(target);
  if (!src || !dst) return Promise.resolve({ ok: false, reason: `not IPv4 addresses: ${source} → ${target}` });
  const id = randomBytes(2).readUInt16BE(0);
  const payload = randomBytes(32);
  return new Promise((resolve) => {
    const started = clock.now();
    const done = (r: PingOutcome) => {
      timer.cancel();
      unsubscribe();
      resolve(r);
    };
    const unsubscribe = port.onIpPacket((packet) => {
      const reply = parseEchoReply(packet);
      if (!reply.ok) return;
      const v = reply.value;
      if (v.identifier === id && v.sequence === 1 && v.source === target && v.payload.equals(payload))
        done({ ok: true, rttMs: clock.now() - started, from: v.source });
    });
    const timer = clock.after(timeoutMs, () =>
      done({ ok: false, reason: `no echo reply from ${target} within ${timeoutMs} ms` }),
    );
    port.sendIp(buildEchoRequest(src, dst, id, 1, payload));
  });
}
