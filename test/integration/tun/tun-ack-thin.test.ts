// Root: the kernel's own TCP sender, behind a real TUN, when the ACKs coming back are thinned
// (native/tun/ack_thin.c). The test plays the far receiver, as the VPN server's side would: it
// reads the sender's segments off the TUN and answers each read batch with one cumulative ACK per
// segment, all in one write (as the pump writes a TLS read burst of server ACKs). The addon writes
// only the last ACK of each such run; the sender must still deliver every byte, in order, and close
// cleanly, while duplicate ACKs (a retransmission answered twice) still go.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../../main/helper/client/client.js';
import { isRoot } from '../helper/netns.js';
import { segment, TCP } from '../../unit/engine/tun/tcp-segments.js';
import { Probe } from './probe.js';
import { startTunNetns, stopTunNetns } from './tun-netns.js';

const NS = 'cwt-athin';
const TUN = 'cwt-athin0';
const LOCAL = '10.95.0.1';
const REMOTE = '10.95.1.5';
const PORT = 9100;
let helper: HelperClient | undefined;
let probe: Probe | undefined;

interface Seen {
  sport: number;
  seq: number;
  flags: number;
  payload: Buffer;
}

/** The sender's TCP packets to REMOTE:PORT in one read batch. */
function fromSender(hexes: string[]): Seen[] {
  const out: Seen[] = [];
  for (const h of hexes) {
    const p = Buffer.from(h, 'hex');
    if (p.length < 40 || p[0] !== 0x45 || p[9] !== 6 || p.readUInt16BE(22) !== PORT) continue;
    const l4 = ((p[32] ?? 0) >> 4) * 4;
    out.push({ sport: p.readUInt16BE(20), seq: p.readUInt32BE(24), flags: p[33] ?? 0, payload: p.subarray(20 + l4) });
  }
  return out;
}

const expected = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 10)) & 0xff;
  return b;
};

describe(
  'TUN addon: thinned ACKs and the kernel TCP sender (root, netns)',
  { skip: isRoot() ? false : 'needs root' },
  () => {
    before(async () => {
      helper = await startTunNetns(NS, TUN, 95, false);
    });
    after(async () => {
      await probe?.stop();
      await stopTunNetns(helper, NS);
    });

    test(
      'every byte arrives in order, the sender closes cleanly, and runs of ACKs went as their last one',
      { timeout: 60_000 },
      async (t) => {
        assert.ok(helper);
        const p = await Probe.handed(NS, helper, TUN);
        probe = p;
        assert.equal((await p.call('open')).ok, true);
        const total = 400_000;
        await p.call('tcp-send', { host: REMOTE, port: PORT, bytes: total });

        const iss = 0x7ffff000; // ours
        let sport = 0;
        let rcvNxt = 0; // next sequence number expected from the sender
        let ourSeq = (iss + 1) >>> 0;
        let finAcked = false;
        let acksWritten = 0;
        let dupAcks = 0;
        const got: Buffer[] = [];
        // MSS 1360 (the TUN's MTU), no timestamps or SACK: plain cumulative ACKs.
        const reply = (flags: number, ack: number, seq = ourSeq): Buffer =>
          segment({
            src: REMOTE,
            dst: LOCAL,
            sport: PORT,
            dport: sport,
            seq,
            ack,
            flags,
            window: 65535,
            payload: Buffer.alloc(0),
          });

        let cursor = 0;
        const deadline = Date.now() + 45_000;
        while (!finAcked) {
          assert.ok(
            Date.now() < deadline,
            `transfer stalled at ${rcvNxt} (${got.reduce((n, b) => n + b.length, 0)} bytes)`,
          );
          await p.until('a read batch', () => p.events('batch').length > cursor, 10_000);
          const batches = p.events('batch').slice(cursor);
          cursor += batches.length;
          const acks: Buffer[] = [];
          for (const b of batches) {
            for (const s of fromSender(b.packets as string[])) {
              if (s.flags & TCP.SYN) {
                sport = s.sport;
                rcvNxt = (s.seq + 1) >>> 0;
                const synAck = segment({
                  src: REMOTE,
                  dst: LOCAL,
                  sport: PORT,
                  dport: sport,
                  seq: iss,
                  ack: rcvNxt,
                  flags: TCP.SYN | TCP.ACK,
                  window: 65535,
                  options: Buffer.from('02040550', 'hex'),
                  payload: Buffer.alloc(0),
                });
                await p.call('write', { packets: [synAck.toString('hex')] });
                continue;
              }
              if (s.sport !== sport) continue;
              const inOrder = s.seq === rcvNxt;
              if (inOrder && s.payload.length > 0) {
                got.push(Buffer.from(s.payload));
                rcvNxt = (rcvNxt + s.payload.length) >>> 0;
              }
              if (inOrder && s.flags & TCP.FIN) rcvNxt = (rcvNxt + 1) >>> 0;
              if (!inOrder && s.payload.length > 0) dupAcks++;
              if (s.payload.length > 0 || s.flags & TCP.FIN) acks.push(reply(TCP.ACK, rcvNxt));
              if (inOrder && s.flags & TCP.FIN) {
                acks.push(reply(TCP.ACK | TCP.FIN, rcvNxt));
                ourSeq = (ourSeq + 1) >>> 0;
              }
              // The sender's ACK of our FIN ends it.
              if (s.flags & TCP.ACK && s.payload.length === 0 && !(s.flags & TCP.FIN) && ourSeq !== (iss + 1) >>> 0)
                finAcked = true;
            }
          }
          if (acks.length > 0) {
            const r = await p.call('write', { packets: acks.map((a) => a.toString('hex')) });
            assert.equal(r.consumed, acks.length);
            acksWritten += acks.length;
          }
        }
        const sent = await p.until('the sender closing', (m) => m.event === 'tcp-sent', 10_000);
        assert.equal(sent.error, undefined);
        const data = Buffer.concat(got);
        assert.equal(data.length, total);
        assert.equal(
          createHash('sha256').update(data).digest('hex'),
          createHash('sha256').update(expected(total)).digest('hex'),
        );
        const stats = (await p.call('stats')).stats as { txAcksThinned: number; txPackets: number; txDropped: number };
        assert.ok(stats.txAcksThinned > 0, JSON.stringify(stats));
        assert.ok(stats.txAcksThinned < acksWritten, 'the last ACK of each write went');
        assert.equal(stats.txDropped, 0);
        t.diagnostic(
          `${acksWritten} ACKs handed to write(), ${stats.txAcksThinned} thinned, ${stats.txPackets} written; ${dupAcks} out-of-order segments answered`,
        );
        await p.call('close');
      },
    );
  },
);
