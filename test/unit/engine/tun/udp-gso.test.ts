// The addon's UDP datagram merging (native/tun/gso_udp.c) through the test addon's coalesce()
// hook: the exact virtio_net_hdr and bytes write() would hand the kernel, no device or root needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { onesSum, segment } from './tcp-segments.js';
import { loadTestAddon, type CoalescedWrite, type TunTestAddon } from './test-addon.js';
import {
  datagram,
  datagrams,
  segmentUdp,
  udpChecksumOk,
  udpPayload,
  udpPseudoSum,
  type DatagramSpec,
} from './udp-datagrams.js';

const addon: TunTestAddon | undefined = loadTestAddon();
const GSO_UDP_L4 = 5;
const NEEDS_CSUM = 1;

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 37 + seed * 11 + (i >> 9)) & 0xff;
  return b;
}

function coalesce(packets: Buffer[], start = 0): CoalescedWrite {
  assert.ok(addon);
  return addon.coalesce(packets, start);
}

function allWrites(packets: Buffer[]): CoalescedWrite[] {
  const out: CoalescedWrite[] = [];
  for (let i = 0; i < packets.length;) {
    const w = coalesce(packets, i);
    assert.ok(w.consumed >= 1 && i + w.consumed <= packets.length);
    out.push(w);
    i += w.consumed;
  }
  return out;
}

function assertPlain(w: CoalescedWrite, packet: Buffer): void {
  assert.equal(w.consumed, 1);
  assert.equal(w.thinned, false);
  assert.deepEqual([w.flags, w.gsoType, w.hdrLen, w.gsoSize, w.csumStart, w.csumOffset], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(w.packet, packet);
}

/** The super-packet built here independently of the addon: first's headers, every payload, fixed lengths and checksums. */
function expectedMerge(group: Buffer[]): Buffer {
  const first = group[0]!;
  const l3 = (first[0] ?? 0) >> 4 === 6 ? 40 : 20;
  const p = Buffer.concat([first.subarray(0, l3 + 8), ...group.map(udpPayload)]);
  if (l3 === 20) {
    p.writeUInt16BE(p.length, 2);
    p.writeUInt16BE(0, 10);
    p.writeUInt16BE(~onesSum(p.subarray(0, 20)) & 0xffff, 10);
  } else {
    p.writeUInt16BE(p.length - 40, 4);
  }
  p.writeUInt16BE(p.length - l3, l3 + 4);
  p.writeUInt16BE(udpPseudoSum(p, p.length - l3), l3 + 6); // CHECKSUM_PARTIAL: the seed, not inverted
  return p;
}

function assertMerged(w: CoalescedWrite, group: Buffer[]): void {
  const first = group[0]!;
  const l3 = (first[0] ?? 0) >> 4 === 6 ? 40 : 20;
  assert.equal(w.consumed, group.length);
  assert.equal(w.thinned, false);
  assert.deepEqual(
    [w.flags, w.gsoType, w.hdrLen, w.gsoSize, w.csumStart, w.csumOffset],
    [NEEDS_CSUM, GSO_UDP_L4, l3 + 8, udpPayload(first).length, l3, 6],
  );
  assert.deepEqual(w.packet, expectedMerge(group));
}

describe(
  'TUN addon: UDP datagram merging (coalesce)',
  { skip: addon === undefined ? 'native/tun is not built' : false },
  () => {
    it('merges a run of one IPv4 flow, byte for byte; the kernel cuts it back into the same datagrams', () => {
      const data = bytes(9 * 1200 + 345);
      const run = datagrams({ id: 0x1234 }, data, 1200);
      const w = coalesce(run);
      assertMerged(w, run);
      assert.deepEqual(segmentUdp(w.packet, w.gsoSize), run);
    });

    it('merges IPv6, and checksumless IPv4 datagrams (they come out with computed checksums)', () => {
      const data = bytes(6 * 1000, 2);
      const v6 = datagrams({ v6: true, sport: 443 }, data, 1000);
      const w6 = coalesce(v6);
      assertMerged(w6, v6);
      assert.deepEqual(segmentUdp(w6.packet, w6.gsoSize), v6);
      const bare = datagrams({ noChecksum: true }, data, 1000);
      const w4 = coalesce(bare);
      assertMerged(w4, bare);
      const cut = segmentUdp(w4.packet, w4.gsoSize);
      assert.deepEqual(cut.map(udpPayload), bare.map(udpPayload));
      assert.ok(cut.every((d) => d.readUInt16BE(26) !== 0 && udpChecksumOk(d)));
    });

    it('a shorter datagram ends the run; equal sizes continue across a 2-byte payload', () => {
      const a = datagram({ payload: bytes(1000) });
      const b = datagram({ payload: bytes(400, 2) });
      const c = datagram({ payload: bytes(1000, 3) });
      assert.equal(coalesce([a, a, b, c]).consumed, 3);
      const tiny = [1, 2, 3].map((i) => datagram({ payload: bytes(2, i) }));
      assertMerged(coalesce(tiny), tiny);
    });

    it('stops at 64 KB and at 64 datagrams; what is left merges next, nothing lost or reordered', () => {
      const data = bytes(70 * 1400, 4);
      const big = datagrams({}, data, 1400);
      const w = coalesce(big);
      assert.ok(w.packet.length <= 65535 && w.packet.length + 1400 > 65535, `${w.packet.length}`);
      assertMerged(w, big.slice(0, w.consumed));
      const small = datagrams({}, bytes(100 * 10), 10);
      assert.equal(coalesce(small).consumed, 64);
      assert.deepEqual(Buffer.concat(allWrites(big).map((x) => udpPayload(x.packet))), data);
    });

    const base: DatagramSpec = { payload: bytes(1000) };
    const next = (o: Partial<DatagramSpec>): Buffer => datagram({ ...base, payload: bytes(1000, 2), ...o });
    const edit = (o: Partial<DatagramSpec>, f: (p: Buffer) => void): Buffer => {
      const p = Buffer.from(next(o));
      f(p);
      return p;
    };
    const cases: [string, Buffer][] = [
      ['another source port', next({ sport: 5001 })],
      ['another destination port', next({ dport: 7001 })],
      ['another source address', next({ src: '10.97.1.6' })],
      ['another destination address', next({ dst: '10.97.0.2' })],
      ['another TOS (ECN CE)', next({ tos: 3 })],
      ['another TTL', next({ ttl: 63 })],
      ['a larger payload', next({ payload: bytes(1001) })],
      ['an empty payload', next({ payload: Buffer.alloc(0) })],
      ['IPv6', next({ v6: true })],
      ['TCP', segment({ seq: 1, payload: bytes(1000) })],
      [
        'DF cleared',
        edit({}, (p) => {
          p[6] = 0;
          p.writeUInt16BE(0, 10);
          p.writeUInt16BE(~onesSum(p.subarray(0, 20)) & 0xffff, 10);
        }),
      ],
      ['a bad UDP checksum', edit({}, (p) => (p[p.length - 1] = (p[p.length - 1] ?? 0) ^ 1))],
      ['a bad IPv4 header checksum', edit({}, (p) => p.writeUInt16BE(p.readUInt16BE(10) ^ 0x0100, 10))],
      ['a UDP length shorter than the datagram', edit({}, (p) => p.writeUInt16BE(1000, 24))],
      ['a fragment (MF)', edit({}, (p) => (p[6] = 0x20))],
      ['a fragment offset', edit({}, (p) => (p[7] = 1))],
      ['IPv4 options', edit({}, (p) => (p[0] = 0x46))],
      ['trailing bytes past the IP length', Buffer.concat([next({}), Buffer.alloc(2)])],
    ];
    for (const [what, second] of cases) {
      it(`does not merge across ${what}`, () => {
        const first = datagram(base);
        assertPlain(coalesce([first, second]), first);
      });
    }

    it('does not merge an IPv6 datagram without a checksum, nor anything after a bad first one', () => {
      const zero = Buffer.from(datagram({ v6: true, payload: bytes(1000) }));
      zero.writeUInt16BE(0, 46);
      assertPlain(coalesce([zero, datagram({ v6: true, payload: bytes(1000, 2) })]), zero);
      assertPlain(
        coalesce([datagram({ v6: true, payload: bytes(1000) }), zero]),
        datagram({ v6: true, payload: bytes(1000) }),
      );
      const bad = Buffer.from(datagram(base));
      bad[40] = (bad[40] ?? 0) ^ 0xff;
      assertPlain(coalesce([bad, next({})]), bad);
    });

    it('never crashes, loses, duplicates or reorders bytes, whatever the input (property)', () => {
      const flow = [...datagrams({}, bytes(30 * 600, 9), 600), ...datagrams({ v6: true }, bytes(8 * 600, 5), 600)];
      let merged = 0;
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              pick: fc.nat(flow.length - 1),
              run: fc.integer({ min: 1, max: 10 }),
              flip: fc.option(fc.record({ which: fc.nat(9), at: fc.nat(700), xor: fc.integer({ min: 1, max: 255 }) }), {
                nil: undefined,
              }),
              cut: fc.option(fc.record({ which: fc.nat(9), length: fc.nat(700) }), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 10 },
          ),
          (plan) => {
            const packets = plan.flatMap(({ pick, run, flip, cut }) =>
              flow.slice(pick, pick + run).map((original, k) => {
                let p = Buffer.from(original);
                if (flip?.which === k) p[flip.at % p.length] = (p[flip.at % p.length] ?? 0) ^ flip.xor;
                if (cut?.which === k) p = p.subarray(0, cut.length % (p.length + 1));
                return p;
              }),
            );
            let i = 0;
            for (const w of allWrites(packets)) {
              const group = packets.slice(i, i + w.consumed);
              i += w.consumed;
              if (w.consumed === 1) {
                assert.deepEqual(w.packet, group[0]);
                continue;
              }
              merged++;
              assert.ok(group.every(udpChecksumOk), 'only datagrams that verify join');
              assertMerged(w, group);
              assert.deepEqual(segmentUdp(w.packet, w.gsoSize).map(udpPayload), group.map(udpPayload));
            }
            assert.equal(i, packets.length);
          },
        ),
        { numRuns: 300 },
      );
      assert.ok(merged > 0, 'the property exercised merges too');
    });
  },
);
