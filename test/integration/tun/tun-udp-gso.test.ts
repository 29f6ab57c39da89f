// Root: UDP datagrams written into a real TUN (as the pump writes what the server sent) reach a real
// socket one by one, intact, in order and with their own sizes, when the addon merged runs of them
// into UDP GSO packets (native/tun/gso_udp.c): the kernel cuts them back at the same boundaries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../../main/helper/client/client.js';
import { isRoot } from '../helper/netns.js';
import { datagram, datagrams, type DatagramSpec } from '../../unit/engine/tun/udp-datagrams.js';
import { Probe } from './probe.js';
import { startTunNetns, stopTunNetns } from './tun-netns.js';

const NS = 'cwt-ugso';
const TUN = 'cwt-ugso0';
let helper: HelperClient | undefined;
const probes: Probe[] = [];

type Family = { v6: boolean; local: string; remote: string };
const V4: Family = { v6: false, local: '10.96.0.1', remote: '10.96.1.5' };
const V6: Family = { v6: true, local: 'fd96::1', remote: 'fd96:1::5' };

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 17 + (i >> 8)) & 0xff;
  return b;
}

interface UdpStats {
  txGsoPackets: number;
  txUdpGsoPackets: number;
  txUdpGsoSegments: number;
  txDropped: number;
  txPackets: number;
}

describe(
  'TUN addon: UDP datagrams merged into GSO packets (root, netns)',
  { skip: isRoot() ? false : 'needs root' },
  () => {
    before(async () => {
      helper = await startTunNetns(NS, TUN, 96, true);
    });
    after(async () => {
      for (const p of probes) await p.stop();
      await stopTunNetns(helper, NS);
    });

    for (const f of [V4, V6]) {
      test(
        `IPv${f.v6 ? 6 : 4}: every datagram arrives intact, in order, with its size`,
        { timeout: 30_000 },
        async (t) => {
          assert.ok(helper);
          const probe = await Probe.handed(NS, helper, TUN);
          probes.push(probe);
          assert.equal((await probe.call('open')).ok, true);
          assert.equal((await probe.call('gso')).gso, true, 'IFF_VNET_HDR granted');
          const port = f.v6 ? 7401 : 7400;
          await probe.call('udp-bind', { address: f.local, port, v6: f.v6 });
          const base: Omit<DatagramSpec, 'payload'> = {
            v6: f.v6,
            src: f.remote,
            dst: f.local,
            sport: 5353,
            dport: port,
          };
          const other = { ...base, sport: 5354 };
          const batches: Buffer[][] = [
            // One flow, 1200-byte datagrams, the last one shorter: one or two GSO packets.
            datagrams(base, bytes(40 * 1200 + 300, 1), 1200),
            // 100 small ones: more than one GSO packet holds (64).
            datagrams(base, bytes(100 * 64, 2), 64),
            // Sizes that change every time (nothing merges), then two flows interleaved in pairs.
            [7, 1300, 1, 500, 499, 1000].map((n, i) => datagram({ ...base, payload: bytes(n, 10 + i) })),
            [0, 1, 2, 3].flatMap((i) => [
              datagram({ ...base, payload: bytes(800, 20 + i) }),
              datagram({ ...base, payload: bytes(800, 30 + i) }),
              datagram({ ...other, payload: bytes(800, 40 + i) }),
              datagram({ ...other, payload: bytes(800, 50 + i) }),
            ]),
          ];
          for (const batch of batches) {
            const r = await probe.call('write', { packets: batch.map((p) => p.toString('hex')) });
            assert.equal(r.consumed, batch.length);
          }
          const sent = batches.flat();
          const l3 = f.v6 ? 40 : 20;
          const expect = (sport: number) =>
            sent.filter((p) => p.readUInt16BE(l3) === sport).map((p) => p.subarray(l3 + 8).toString('hex'));
          const got = await probe.waitForCount('udp', sent.length, 10_000);
          const from = (sport: number) =>
            got.filter((m) => m.port === port && m.fromPort === sport).map((m) => m.data as string);
          // In order per flow (the socket queue keeps the order of what reached it), byte for byte.
          assert.deepEqual(from(5353), expect(5353));
          assert.deepEqual(from(5354), expect(5354));
          assert.equal(got.length, sent.length, 'nothing duplicated');
          assert.ok(got.every((m) => m.from === f.remote));
          const stats = (await probe.call('stats')).stats as UdpStats;
          assert.ok(stats.txUdpGsoPackets >= 4 && stats.txUdpGsoSegments >= 140, JSON.stringify(stats));
          assert.equal(stats.txGsoPackets, stats.txUdpGsoPackets, 'no TCP here');
          assert.equal(stats.txDropped, 0);
          t.diagnostic(
            `${stats.txUdpGsoSegments} datagrams in ${stats.txUdpGsoPackets} GSO packets, ${stats.txPackets} in all`,
          );
          await probe.call('close');
        },
      );
    }

    test('offload: false writes the same datagrams one by one', { timeout: 30_000 }, async () => {
      assert.ok(helper);
      const probe = await Probe.handed(NS, helper, TUN, { offload: false });
      probes.push(probe);
      assert.equal((await probe.call('open')).ok, true);
      await probe.call('udp-bind', { address: V4.local, port: 7410 });
      const batch = datagrams({ src: V4.remote, dst: V4.local, sport: 5355, dport: 7410 }, bytes(20 * 1000, 7), 1000);
      await probe.call('write', { packets: batch.map((p) => p.toString('hex')) });
      const got = await probe.waitForCount('udp', batch.length, 10_000);
      assert.deepEqual(
        got.filter((m) => m.port === 7410).map((m) => m.data),
        batch.map((p) => p.subarray(28).toString('hex')),
      );
      const stats = (await probe.call('stats')).stats as UdpStats;
      assert.equal(stats.txUdpGsoPackets, 0);
      await probe.call('close');
    });
  },
);
