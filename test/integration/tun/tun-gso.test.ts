// Root: TCP segments written into a real TUN (as the pump writes what the server sent) reach a real
// socket byte for byte, whether the addon merged them into GSO packets or wrote them one by one.
// The test plays the far TCP peer: it writes the SYN, reads the SYN-ACK back from the TUN, then
// writes the data segments (in-order runs, and the cases that must not merge) and a FIN.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../../main/helper/client/client.js';
import { isRoot } from '../helper/netns.js';
import { segment, TCP, type SegmentSpec } from '../../unit/engine/tun/tcp-segments.js';
import { Probe } from './probe.js';
import { startTunNetns, stopTunNetns } from './tun-netns.js';

const NS = 'cwt-gso';
const TUN = 'cwt-gso0';
let helper: HelperClient | undefined;
const probes: Probe[] = [];

type Family = { v6: boolean; local: string; remote: string };
const V4: Family = { v6: false, local: '10.97.0.1', remote: '10.97.1.5' };
const V6: Family = { v6: true, local: 'fd97::1', remote: 'fd97:1::5' };

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 17 + (i >> 8)) & 0xff;
  return b;
}

/** A segment of the test connection: `seq` is relative to the first data byte. */
type Spec = (o: Partial<SegmentSpec> & { seq: number; payload: Buffer }) => Buffer;

const hexes = (packets: Buffer[]): string[] => packets.map((p) => p.toString('hex'));

/** The SYN-ACK for our SYN, from the packets the probe read off the TUN. */
function synAck(probe: Probe, f: Family, serverPort: number): number | undefined {
  for (const b of probe.events('batch')) {
    for (const h of b.packets as string[]) {
      const p = Buffer.from(h, 'hex');
      const ipLength = f.v6 ? 40 : 20;
      if ((p[0] ?? 0) >> 4 !== (f.v6 ? 6 : 4) || p[f.v6 ? 6 : 9] !== 6 || p.length < ipLength + 20) continue;
      const flags = p[ipLength + 13] ?? 0;
      if (p.readUInt16BE(ipLength) === serverPort && (flags & (TCP.SYN | TCP.ACK)) === (TCP.SYN | TCP.ACK))
        return p.readUInt32BE(ipLength + 4);
    }
  }
  return undefined;
}

/**
 * Connects from the fake far side to the probe's server at f.local:port, sends `data` as the
 * segments `plan` cuts it into, and returns what the server received (after our FIN).
 */
async function transfer(
  probe: Probe,
  f: Family,
  port: number,
  sport: number,
  data: Buffer,
  plan: (spec: Spec) => Buffer[][],
): Promise<{ length: number; sha256: string }> {
  const iss = 0xfffff000; // our initial sequence number: the data crosses the 2^32 wrap
  const base = { v6: f.v6, src: f.remote, dst: f.local, sport, dport: port, window: 60000 };
  await probe.call('write', {
    packets: hexes([segment({ ...base, seq: iss, ack: 0, flags: TCP.SYN, payload: Buffer.alloc(0), window: 65535 })]),
  });
  await probe.until('SYN-ACK', () => synAck(probe, f, port) !== undefined);
  const ack = ((synAck(probe, f, port) ?? 0) + 1) >>> 0;
  const spec: Spec = (o) => segment({ ...base, ack, ...o, seq: (iss + 1 + o.seq) >>> 0 });
  await probe.call('write', { packets: hexes([spec({ seq: 0, payload: Buffer.alloc(0) })]) });
  for (const batch of plan(spec)) {
    const r = await probe.call('write', { packets: hexes(batch) });
    assert.equal(r.consumed, batch.length);
  }
  await probe.call('write', {
    packets: hexes([spec({ seq: data.length, payload: Buffer.alloc(0), flags: TCP.ACK | TCP.FIN })]),
  });
  const end = await probe.until(`the server's end of ${sport}`, (m) => m.event === 'tcp-end' && m.port === port, 5000);
  return { length: end.length as number, sha256: end.sha256 as string };
}

/** In-order 1000-byte segments of data[from, to), as one batch. */
function run(spec: Spec, data: Buffer, from: number, to: number, size = 1000, o: Partial<SegmentSpec> = {}): Buffer[] {
  const out: Buffer[] = [];
  for (let off = from; off < to; off += size)
    out.push(spec({ ...o, seq: off, payload: data.subarray(off, Math.min(to, off + size)) }));
  return out;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe(
  'TUN addon: TCP segments merged into GSO packets (root, netns)',
  { skip: isRoot() ? false : 'needs root' },
  () => {
    before(async () => {
      helper = await startTunNetns(NS, TUN, 97, true);
    });
    after(async () => {
      for (const p of probes) await p.stop();
      await stopTunNetns(helper, NS);
    });

    for (const f of [V4, V6]) {
      test(`IPv${f.v6 ? 6 : 4}: in-order runs are merged, and the socket receives exactly the bytes sent`, async (t) => {
        assert.ok(helper);
        const probe = await Probe.handed(NS, helper, TUN);
        probes.push(probe);
        assert.equal((await probe.call('open')).ok, true);
        assert.equal((await probe.call('gso')).gso, true, 'IFF_VNET_HDR granted');
        const port = f.v6 ? 7301 : 7300;
        await probe.call('tcp-listen', { address: f.local, port });
        const data = bytes(48_000, f.v6 ? 6 : 4);
        const got = await transfer(probe, f, port, 40000, data, (spec) => [
          run(spec, data, 0, 20_000), // one batch, one flow, in order: merged
          run(spec, data, 20_000, 40_000), // and the next batch continues it
          run(spec, data, 40_000, data.length, 500),
        ]);
        assert.deepEqual(got, { length: data.length, sha256: sha(data) });
        const stats = (await probe.call('stats')).stats as {
          txGsoPackets: number;
          txGsoSegments: number;
          txDropped: number;
          rxDropped: number;
        };
        assert.ok(stats.txGsoPackets >= 3 && stats.txGsoSegments >= 56, JSON.stringify(stats));
        assert.equal(stats.txDropped, 0);
        assert.equal(stats.rxDropped, 0, 'reads stay plain packets');
        t.diagnostic(`${stats.txGsoSegments} segments in ${stats.txGsoPackets} GSO packets`);
        await probe.call('close');
      });
    }

    test('what must not merge still arrives intact: PSH, a window change, a retransmission, reordering, a corrupt segment, other flows interleaved', async () => {
      assert.ok(helper);
      const probe = await Probe.handed(NS, helper, TUN);
      probes.push(probe);
      assert.equal((await probe.call('open')).ok, true);
      await probe.call('tcp-listen', { address: V4.local, port: 7310 });
      const data = bytes(30_000, 9);
      const got = await transfer(probe, V4, 7310, 40010, data, (spec) => {
        const corrupt = Buffer.from(spec({ seq: 9000, payload: data.subarray(9000, 10_000) }));
        corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
        return [
          [
            ...run(spec, data, 0, 3000),
            spec({ seq: 3000, payload: data.subarray(3000, 4000), flags: TCP.ACK | TCP.PSH }),
            ...run(spec, data, 4000, 6000),
            ...run(spec, data, 6000, 8000, 1000, { window: 59000 }),
            ...run(spec, data, 2000, 4000), // retransmitted: duplicates the kernel discards
          ],
          // 9000..10000 corrupt (dropped by the kernel), 8000..9000 after 10000..11000 (reordered)
          [corrupt, ...run(spec, data, 10_000, 11_000), ...run(spec, data, 8000, 9000)],
          [...run(spec, data, 9000, 10_000), ...run(spec, data, 11_000, 14_000)],
          // Another flow (a SYN to a closed port) in the middle of a run.
          [
            ...run(spec, data, 14_000, 16_000),
            segment({
              src: V4.remote,
              dst: V4.local,
              sport: 40011,
              dport: 7399,
              seq: 5,
              ack: 0,
              flags: TCP.SYN,
              payload: Buffer.alloc(0),
            }),
            ...run(spec, data, 16_000, data.length),
          ],
        ];
      });
      assert.deepEqual(got, { length: data.length, sha256: sha(data) });
      await probe.call('close');
    });

    test('offload: false opens without IFF_VNET_HDR: plain writes, same bytes', async () => {
      assert.ok(helper);
      const probe = await Probe.handed(NS, helper, TUN, { offload: false });
      probes.push(probe);
      assert.equal((await probe.call('open')).ok, true);
      assert.equal((await probe.call('gso')).gso, false);
      await probe.call('tcp-listen', { address: V4.local, port: 7320 });
      const data = bytes(20_000, 3);
      const got = await transfer(probe, V4, 7320, 40020, data, (spec) => [run(spec, data, 0, data.length)]);
      assert.deepEqual(got, { length: data.length, sha256: sha(data) });
      const stats = (await probe.call('stats')).stats as { txGsoPackets: number; txPackets: number };
      assert.equal(stats.txGsoPackets, 0);
      assert.ok(stats.txPackets >= 22);
      await probe.call('close');
    });
  },
);
