// The addon's TCP segment merging (native/tun/gso.c) through the test addon's coalesce() hook: the
// exact virtio_net_hdr and bytes write() would hand the kernel, no device or root needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findTunAddon, loadTunAddon } from '../../../../main/engine/tun/native-addon.js';
import { checksumsOk, completeChecksum, segment, stream, TCP, tcpPayload, type SegmentSpec } from './tcp-segments.js';
import { loadTestAddon, type CoalescedWrite, type TunTestAddon } from './test-addon.js';

const addon: TunTestAddon | undefined = loadTestAddon();
const productPath = process.platform === 'linux' ? findTunAddon() : undefined;

const GSO_TCPV4 = 1;
const GSO_TCPV6 = 4;
const NEEDS_CSUM = 1;

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

function flip(b: Buffer, at: number, xor: number): void {
  b[at] = (b[at] ?? 0) ^ xor;
}

function coalesce(packets: Buffer[], start = 0): CoalescedWrite {
  assert.ok(addon);
  return addon.coalesce(packets, start);
}

/** Every write the device would make for `packets`, in order. */
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
  assert.deepEqual([w.flags, w.gsoType, w.hdrLen, w.gsoSize, w.csumStart, w.csumOffset], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(w.packet, packet);
}

/** A merged write must be what the kernel can segment back into valid packets carrying `payload`. */
function assertMerged(w: CoalescedWrite, first: Buffer, count: number, payload: Buffer, v6 = false): void {
  const ipLength = v6 ? 40 : 20;
  const tcpLength = ((first[ipLength + 12] ?? 0) >> 4) * 4;
  assert.equal(w.consumed, count);
  assert.equal(w.flags, NEEDS_CSUM);
  assert.equal(w.gsoType, v6 ? GSO_TCPV6 : GSO_TCPV4);
  assert.equal(w.hdrLen, ipLength + tcpLength);
  assert.equal(w.gsoSize, tcpPayload(first).length);
  assert.equal(w.csumStart, ipLength);
  assert.equal(w.csumOffset, 16);
  assert.equal(w.packet.length, ipLength + tcpLength + payload.length);
  if (v6) assert.equal(w.packet.readUInt16BE(4), w.packet.length - 40);
  else assert.equal(w.packet.readUInt16BE(2), w.packet.length);
  assert.deepEqual(tcpPayload(w.packet), payload);
  // Headers other than lengths, checksums and PSH are the first segment's.
  const strip = (p: Buffer) => {
    const c = Buffer.from(p.subarray(0, ipLength + tcpLength));
    if (v6) {
      c.writeUInt16BE(0, 4);
    } else {
      c.writeUInt16BE(0, 2);
      c.writeUInt16BE(0, 10);
    }
    c.writeUInt16BE(0, ipLength + 16);
    c[ipLength + 13] = (c[ipLength + 13] ?? 0) & ~TCP.PSH;
    return c;
  };
  assert.deepEqual(strip(w.packet), strip(first));
  // Completing the partial checksum as the kernel would gives a packet that verifies.
  assert.ok(checksumsOk(completeChecksum(w.packet, w.csumStart, w.csumOffset)));
}

describe(
  'TUN addon: TCP segment merging (coalesce)',
  { skip: addon === undefined ? 'native/tun is not built' : false },
  () => {
    it('merges in-order IPv4 segments of one flow; the last may be shorter and carry PSH', () => {
      const data = bytes(3 * 1000 + 500);
      const segs = stream({}, data, 1000);
      segs[3] = segment({ seq: 3001, payload: data.subarray(3000), flags: TCP.ACK | TCP.PSH });
      const w = coalesce(segs);
      assertMerged(w, segs[0]!, 4, data);
      assert.equal(w.packet[33], TCP.ACK | TCP.PSH);
    });

    it('merges IPv6 segments, with timestamps options', () => {
      const options = Buffer.from('0101080a0000abcd00001234', 'hex');
      const data = bytes(5 * 1200, 3);
      const segs = stream({ v6: true, options }, data, 1200);
      assertMerged(coalesce(segs), segs[0]!, 5, data, true);
    });

    it('follows sequence numbers across the 2^32 wrap', () => {
      const data = bytes(4000, 5);
      const segs = stream({ seq: 0xffffffff - 1500 }, data, 1000);
      assertMerged(coalesce(segs), segs[0]!, 4, data);
    });

    it('stops at 64 KB and at 64 segments', () => {
      const big = stream({}, bytes(60 * 1448), 1448);
      const w = coalesce(big);
      assert.ok(w.packet.length <= 65535 && w.packet.length + 1448 > 65535, `${w.packet.length}`);
      assertMerged(w, big[0]!, w.consumed, bytes(60 * 1448).subarray(0, w.consumed * 1448));
      const small = stream({}, bytes(100 * 10), 10);
      assert.equal(coalesce(small).consumed, 64);
      // Whatever is left is merged by the next writes, nothing lost or reordered.
      const writes = allWrites(big);
      assert.deepEqual(Buffer.concat(writes.map((x) => tcpPayload(x.packet))), bytes(60 * 1448));
    });

    it('a shorter segment ends the run; so does PSH', () => {
      const a = segment({ seq: 1, payload: bytes(1000) });
      const b = segment({ seq: 1001, payload: bytes(500) });
      const c = segment({ seq: 1501, payload: bytes(1000) });
      assert.equal(coalesce([a, b, c]).consumed, 2);
      const p = segment({ seq: 1001, payload: bytes(1000), flags: TCP.ACK | TCP.PSH });
      const d = segment({ seq: 2001, payload: bytes(1000) });
      assert.equal(coalesce([a, p, d]).consumed, 2);
      assertPlain(coalesce([p, d]), p);
    });

    const base: SegmentSpec = { seq: 1, payload: bytes(1000) };
    const next = (o: Partial<SegmentSpec>): Buffer => segment({ ...base, seq: 1001, payload: bytes(1000, 2), ...o });
    const cases: [string, Buffer][] = [
      ['another source port', next({ sport: 81 })],
      ['another destination port', next({ dport: 40001 })],
      ['another source address', next({ src: '10.97.1.6' })],
      ['a sequence gap', next({ seq: 1002 })],
      ['a retransmission', next({ seq: 1 })],
      ['another ack', next({ ack: 1001 })],
      ['another window', next({ window: 501 })],
      ['other options', next({ options: Buffer.from('0101080a0000abce00001234', 'hex') })],
      ['another TOS (ECN CE)', next({ tos: 3 })],
      ['another TTL', next({ ttl: 63 })],
      ['a larger payload', next({ payload: bytes(1001) })],
      ['SYN', next({ flags: TCP.ACK | TCP.SYN })],
      ['FIN', next({ flags: TCP.ACK | TCP.FIN })],
      ['RST', next({ flags: TCP.ACK | TCP.RST })],
      ['URG', next({ flags: TCP.ACK | TCP.URG })],
      ['CWR', next({ flags: TCP.ACK | TCP.CWR })],
      ['no ACK', next({ flags: TCP.PSH })],
      ['IPv6', next({ v6: true })],
      ['no payload (a pure ACK)', next({ payload: Buffer.alloc(0) })],
    ];
    for (const [what, second] of cases) {
      it(`does not merge across ${what}`, () => {
        const first = segment(base);
        assertPlain(coalesce([first, second]), first);
      });
    }

    it('does not merge a segment with a bad checksum, nor anything after a bad first one', () => {
      const first = segment(base);
      const bad = Buffer.from(next({}));
      flip(bad, bad.length - 1, 0x01);
      assertPlain(coalesce([first, bad]), first);
      assertPlain(coalesce([bad, next({ seq: 2001 })]), bad);
      const badIp = Buffer.from(next({}));
      badIp.writeUInt16BE(0x1234, 4); // IP ID changed (not compared) without fixing the header checksum
      assertPlain(coalesce([first, badIp]), first);
      const ipSum = Buffer.from(next({}));
      ipSum.writeUInt16BE(ipSum.readUInt16BE(10) ^ 0x0100, 10);
      assertPlain(coalesce([first, ipSum]), first);
      assertPlain(coalesce([Buffer.from(ipSum), first]), ipSum);
    });

    it('does not merge fragments, IPv4 options, UDP, or lengths that disagree with the header', () => {
      const frag = Buffer.from(segment(base));
      frag[6] = 0x20; // MF
      const opts = Buffer.from(segment(base));
      opts[0] = 0x46;
      const udp = Buffer.from(segment(base));
      udp[9] = 17;
      const truncated = segment(base).subarray(0, 500);
      const padded = Buffer.concat([segment(base), Buffer.alloc(4)]);
      for (const p of [frag, opts, udp, truncated, padded]) assertPlain(coalesce([p, next({})]), p);
      const first = segment(base);
      for (const p of [frag, opts, udp, truncated, padded]) assertPlain(coalesce([first, p]), first);
    });

    it('passes anything else through untouched: empty, tiny, garbage, non-IP', () => {
      for (const p of [Buffer.alloc(0), Buffer.from([0x45]), Buffer.alloc(40, 0xff), Buffer.alloc(100, 0x45)]) {
        assertPlain(coalesce([p, p]), p);
      }
    });

    it('never crashes, loses, duplicates or reorders bytes, whatever the input (property)', () => {
      const flowData = bytes(40 * 700, 9);
      let merged = 0;
      const good = [...stream({}, flowData, 700), ...stream({ v6: true, sport: 443 }, flowData.subarray(0, 7000), 700)];
      fc.assert(
        fc.property(
          // Runs of in-order segments (what merges), some with a byte flipped or cut short.
          fc.array(
            fc.record({
              pick: fc.nat(good.length - 1),
              run: fc.integer({ min: 1, max: 12 }),
              mutate: fc.option(
                fc.record({ which: fc.nat(11), at: fc.nat(2000), xor: fc.integer({ min: 1, max: 255 }) }),
                { nil: undefined },
              ),
              cut: fc.option(fc.record({ which: fc.nat(11), length: fc.nat(2000) }), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
          (plan) => {
            const packets = plan.flatMap(({ pick, run, mutate, cut }) =>
              good.slice(pick, pick + run).map((original, k) => {
                let p = Buffer.from(original);
                if (mutate && mutate.which === k) flip(p, mutate.at % p.length, mutate.xor);
                if (cut && cut.which === k) p = p.subarray(0, cut.length % (p.length + 1));
                return p;
              }),
            );
            const writes = allWrites(packets);
            let i = 0;
            for (const w of writes) {
              const group = packets.slice(i, i + w.consumed);
              i += w.consumed;
              if (w.consumed === 1) {
                assert.deepEqual(w.packet, group[0]);
                continue;
              }
              merged++;
              // Merged only from segments that verify, and the bytes are theirs, in order.
              assert.ok(group.every(checksumsOk));
              assert.deepEqual(tcpPayload(w.packet), Buffer.concat(group.map(tcpPayload)));
              assert.ok(w.packet.length <= 65535);
              assert.ok(checksumsOk(completeChecksum(w.packet, w.csumStart, w.csumOffset)));
            }
            assert.equal(i, packets.length);
          },
        ),
        { numRuns: 300 },
      );
      assert.ok(merged > 0, 'the property exercised merges too');
    });

    it('rejects what is not an array of Uint8Array, and a start past the end', () => {
      assert.ok(addon);
      const a = addon;
      assert.throws(() => a.coalesce('x' as unknown as Buffer[], 0), { code: 'ERR_INVALID_ARG_TYPE' });
      assert.throws(() => a.coalesce([1] as unknown as Buffer[], 0), { code: 'ERR_INVALID_ARG_TYPE' });
      assert.throws(() => a.coalesce([segment(base)], 2), { code: 'ERR_OUT_OF_RANGE' });
      assert.throws(() => a.coalesce([segment(base)], 1), { code: 'ERR_OUT_OF_RANGE' });
    });
  },
);

describe(
  'TUN addon: the test hook stays in the test build',
  { skip: productPath === undefined ? 'native/tun is not built' : false },
  () => {
    it('the product addon has the same API without coalesce() and segmentRead()', () => {
      assert.ok(productPath !== undefined && addon !== undefined, 'both addons come from one build (binding.gyp)');
      const product = loadTunAddon(productPath);
      assert.equal('coalesce' in product, false);
      assert.equal('segmentRead' in product, false);
      assert.deepEqual(
        Object.keys(addon)
          .filter((k) => k !== 'coalesce' && k !== 'segmentRead')
          .sort(),
        Object.keys(product).sort(),
      );
    });
  },
);
