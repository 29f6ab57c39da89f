// The far TCP receiver the TUN root tests play, as the VPN server's side would: it reads the local
// kernel's segments off the TUN (through the probe) and answers each read batch with one cumulative
// ACK per segment, all in one write (as the pump writes a TLS read burst of server ACKs), until the
// sender's FIN is acknowledged both ways. MSS 1360 (the test TUN's MTU 1400), no timestamps or SACK.
import assert from 'node:assert/strict';
import { segment, TCP } from '../../unit/engine/tun/tcp-segments.js';
import type { Probe } from './probe.js';

export interface ReceiverEnds {
  readonly local: string;
  readonly remote: string;
  readonly port: number;
}

export interface Received {
  readonly data: Buffer;
  /** Every IPv4 TCP packet of the sender to remote:port, as the probe was handed it. */
  readonly packets: Buffer[];
  readonly acksWritten: number;
  /** Data segments that were not the next in order (retransmissions), each answered with a duplicate ACK. */
  readonly outOfOrder: number;
}

/** The bytes the probe's tcp-send sends: (i * 7 + (i >> 10)) & 0xff. */
export function senderBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 10)) & 0xff;
  return b;
}

/** Plays the receiver for the probe's tcp-send to ends.remote:ends.port until it closes. */
export async function receiveFromSender(p: Probe, ends: ReceiverEnds, timeoutMs: number): Promise<Received> {
  const iss = 0x7ffff000; // ours
  let sport = 0;
  let rcvNxt = 0; // next sequence number expected from the sender
  let ourSeq = (iss + 1) >>> 0;
  let finAcked = false;
  let acksWritten = 0;
  let outOfOrder = 0;
  const got: Buffer[] = [];
  const packets: Buffer[] = [];
  const reply = (flags: number, ack: number, seq = ourSeq, options = Buffer.alloc(0)): Buffer =>
    segment({
      src: ends.remote,
      dst: ends.local,
      sport: ends.port,
      dport: sport,
      seq,
      ack,
      flags,
      window: 65535,
      options,
      payload: Buffer.alloc(0),
    });

  let cursor = 0;
  const deadline = Date.now() + timeoutMs;
  while (!finAcked) {
    assert.ok(Date.now() < deadline, `transfer stalled at ${rcvNxt} (${got.reduce((n, b) => n + b.length, 0)} bytes)`);
    await p.until('a read batch', () => p.events('batch').length > cursor, 10_000);
    const batches = p.events('batch').slice(cursor);
    cursor += batches.length;
    const acks: Buffer[] = [];
    for (const b of batches) {
      for (const h of b.packets as string[]) {
        const q = Buffer.from(h, 'hex');
        if (q.length < 40 || q[0] !== 0x45 || q[9] !== 6 || q.readUInt16BE(22) !== ends.port) continue;
        packets.push(q);
        const s = { sport: q.readUInt16BE(20), seq: q.readUInt32BE(24), flags: q[33] ?? 0 };
        const payload = q.subarray(20 + ((q[32] ?? 0) >> 4) * 4);
        if (s.flags & TCP.SYN) {
          sport = s.sport;
          rcvNxt = (s.seq + 1) >>> 0;
          const synAck = reply(TCP.SYN | TCP.ACK, rcvNxt, iss, Buffer.from('02040550', 'hex'));
          await p.call('write', { packets: [synAck.toString('hex')] });
          continue;
        }
        if (s.sport !== sport) continue;
        const inOrder = s.seq === rcvNxt;
        if (inOrder && payload.length > 0) {
          got.push(Buffer.from(payload));
          rcvNxt = (rcvNxt + payload.length) >>> 0;
        }
        if (inOrder && s.flags & TCP.FIN) rcvNxt = (rcvNxt + 1) >>> 0;
        if (!inOrder && payload.length > 0) outOfOrder++;
        if (payload.length > 0 || s.flags & TCP.FIN) acks.push(reply(TCP.ACK, rcvNxt));
        if (inOrder && s.flags & TCP.FIN) {
          acks.push(reply(TCP.ACK | TCP.FIN, rcvNxt));
          ourSeq = (ourSeq + 1) >>> 0;
        }
        // The sender's ACK of our FIN ends it.
        if (s.flags & TCP.ACK && payload.length === 0 && !(s.flags & TCP.FIN) && ourSeq !== (iss + 1) >>> 0)
          finAcked = true;
      }
    }
    if (acks.length > 0) {
      const r = await p.call('write', { packets: acks.map((a) => a.toString('hex')) });
      assert.equal(r.consumed, acks.length);
      acksWritten += acks.length;
    }
  }
  return { data: Buffer.concat(got), packets, acksWritten, outOfOrder };
}
