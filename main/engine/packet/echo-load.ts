// A load of ICMP echoes through any IP packet port: `causeway bench` without a TUN. A window of
// full-size echo requests stays in flight for a while; every reply must carry our identifier, a
// sequence number we are waiting for and the payload we sent. The server answers each request
// with the same bytes, so the figures are both directions at once: the echo is the only thing
// every SSTP server (RRAS, SoftEther, accel-ppp, MikroTik) answers with no service behind it.
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import { buildEchoRequest, parseEchoReply, parseIpv4 } from './icmp.js';
import type { IpPacketPort } from './ping.js';

/** IPv4 (20) + ICMP echo (8) header bytes around the payload. */
export const ECHO_OVERHEAD_BYTES = 28;

export interface EchoLoadOptions {
  readonly source: string;
  readonly target: string;
  /** ICMP payload bytes per request (the IP packet is 28 more). */
  readonly payloadBytes: number;
  /** Requests in flight at once. */
  readonly window: number;
  /** How long new requests are sent. */
  readonly durationMs: number;
  /** A request unanswered this long counts as lost (and frees its place in the window). */
  readonly replyTimeoutMs: number;
}

export interface EchoLoadResult {
  readonly sent: number;
  readonly answered: number;
  readonly lost: number;
  /** From the first request to the last reply (or loss). */
  readonly elapsedMs: number;
  /** IP bytes each way that were answered (requests out, replies in). */
  readonly answeredIpBytes: number;
  readonly rttMs: { readonly p50: number; readonly p99: number; readonly max: number } | undefined;
}

export type EchoLoadStart =
  { readonly ok: true; readonly result: Promise<EchoLoadResult> } | { readonly ok: false; readonly reason: string };

export const ECHO_LOAD_LIMITS = { payloadMin: 16, payloadMax: 65_507, windowMax: 1024 } as const;

export function startEchoLoad(port: IpPacketPort, clock: Clock, o: EchoLoadOptions): EchoLoadStart {
  const src = parseIpv4(o.source);
  const dst = parseIpv4(o.target);
  if (!src || !dst) return { ok: false, reason: `not IPv4 addresses: ${o.source} → ${o.target}` };
  if (!Number.isInteger(o.payloadBytes) || o.payloadBytes < ECHO_LOAD_LIMITS.payloadMin)
    return { ok: false, reason: `the payload must be at least ${ECHO_LOAD_LIMITS.payloadMin} bytes` };
  if (o.payloadBytes > ECHO_LOAD_LIMITS.payloadMax)
    return { ok: false, reason: `the payload must be at most ${ECHO_LOAD_LIMITS.payloadMax} bytes` };
  if (!Number.isInteger(o.window) || o.window < 1 || o.window > ECHO_LOAD_LIMITS.windowMax)
    return { ok: false, reason: `the window must be 1-${ECHO_LOAD_LIMITS.windowMax} requests` };
  return { ok: true, result: run(port, clock, o, src, dst) };
}

function run(port: IpPacketPort, clock: Clock, o: EchoLoadOptions, src: Buffer, dst: Buffer): Promise<EchoLoadResult> {
  const id = randomBytes(2).readUInt16BE(0);
  const payload = randomBytes(o.payloadBytes);
  const ipBytes = o.payloadBytes + ECHO_OVERHEAD_BYTES;
  const inFlight = new Map<number, { at: number; timer: TimerHandle }>();
  const rtts: number[] = [];
  let nextSeq = 0;
  let sent = 0;
  let lost = 0;
  const started = clock.now();
  let lastEvent = started;
  let sending = true;

  return new Promise((resolve) => {
    const finish = (): void => {
      unsubscribe();
      stopTimer.cancel();
      rtts.sort((a, b) => a - b);
      const pick = (q: number): number => rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))] ?? 0;
      resolve({
        sent,
        answered: rtts.length,
        lost,
        elapsedMs: lastEvent - started,
        answeredIpBytes: rtts.length * ipBytes,
        rttMs: rtts.length > 0 ? { p50: pick(0.5), p99: pick(0.99), max: rtts[rtts.length - 1] ?? 0 } : undefined,
      });
    };
    const settle = (seq: number, answered: boolean): void => {
      const req = inFlight.get(seq);
      if (req === undefined) return;
      inFlight.delete(seq);
      lastEvent = clock.now();
      if (answered) {
        req.timer.cancel();
        rtts.push(lastEvent - req.at);
      } else lost++;
      fill();
      if (!sending && inFlight.size === 0) finish();
    };
    const fill = (): void => {
      while (sending && inFlight.size < o.window) {
        const seq = nextSeq;
        nextSeq = (nextSeq + 1) & 0xffff;
        // Sequence numbers wrap; a window far below 65 536 keeps them unique while in flight.
        const at = clock.now();
        const timer = clock.after(o.replyTimeoutMs, () => settle(seq, false));
        inFlight.set(seq, { at, timer });
        sent++;
        port.sendIp(buildEchoRequest(src, dst, id, seq, payload));
      }
    };
    const unsubscribe = port.onIpPacket((packet) => {
      const reply = parseEchoReply(packet);
      if (!reply.ok) return;
      const v = reply.value;
      if (v.identifier !== id || v.source !== o.target || !v.payload.equals(payload)) return;
      settle(v.sequence, true);
    });
    const stopTimer = clock.after(o.durationMs, () => {
      sending = false;
      if (inFlight.size === 0) finish();
    });
    fill();
  });
}
