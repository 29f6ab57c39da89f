// The addon's cutting of TSO/USO super-packets read from a TUN (native/tun/gso_read.c) through the
// test addon's segmentRead() hook: the exact frames read.c hands JS, compared byte for byte with
// segments built independently here (tcp-segments.ts, udp-datagrams.ts), no device or root needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checksumsOk, pseudoSum, segment, TCP, tcpPayload, type SegmentSpec } from './tcp-segments.js';
import { datagram, udpChecksumOk, type DatagramSpec } from './udp-datagrams.js';
import { loadTestAddon, type ReadVnet, type TunTestAddon } from './test-addon.js';

const addon: TunTestAddon | undefined = loadTestAddon();
const GSO = { TCPV4: 1, UDP_L4: 5, TCPV6: 4, ECN: 0x80 } as const;
const NEEDS_CSUM = 1;
const HEADROOM = 8;
const TIMESTAMPS = Buffer.from([1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9]);

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed * 101 + (i >> 8)) & 0xff;
  return b;
}

/** As the kernel hands it over: the L4 checksum field holds the pseudo-header sum of the whole packet. */
function partial(p: Buffer, l3: number, at: number, protocol = 6): Buffer {
  const out = Buffer.from(p);
  out.writeUInt16BE(pseudoSum(out, l3 === 40, out.length - l3, protocol), l3 + at);
  return out;
}

function frames(packet: Buffer, vnet: ReadVnet, mtu = 1500, headroom = HEADROOM): Buffer[] | null {
  assert.ok(addon);
  const r = addon.segmentRead(packet, vnet, mtu, headroom);
  if (r === null) return null;
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < r.bounds.length; i++) {
    const frame = r.buffer.subarray(r.bounds[i], r.bounds[i + 1]);
    assert.deepEqual(frame.subarray(0, headroom), Buffer.alloc(headroom), `headroom of frame ${i} zeroed`);
    out.push(frame.subarray(headroom));
  }
  return out;
}

/** The segments the kernel's tcp_gso_segment makes of `spec` cut at `mss`, built one by one. */
function expectedTcp(spec: SegmentSpec, mss: number): Buffer[] {
  const out: Buffer[] = [];
  const n = Math.max(1, Math.ceil(spec.payload.length / mss));
  for (let i = 0; i < n; i++) {
    let flags = spec.flags ?? TCP.ACK;
    if (i < n - 1) flags &= ~(TCP.FIN | TCP.PSH);
    if (i > 0) flags &= ~TCP.CWR;
    out.push(
      segment({
        ...spec,
        seq: (spec.seq + i * mss) >>> 0,
        id: ((spec.id ?? 0) + i) & 0xffff,
        flags,
        payload: spec.payload.subarray(i * mss, (i + 1) * mss),
      }),
    );
  }
  return out;
}

function tcpVnet(v6: boolean, gsoSize: number, ecn = false): ReadVnet {
  const gsoType = (v6 ? GSO.TCPV6 : GSO.TCPV4) | (ecn ? GSO.ECN : 0);
  return { flags: NEEDS_CSUM, gsoType, gsoSize, csumStart: v6 ? 40 : 20, csumOffset: 16 };
}

describe('TUN read segmentation (gso_read.c)', { skip: addon === undefined ? 'test addon not built' : false }, () => {
  it('cuts an IPv4 TSO packet with timestamps: seq, IDs, lengths, FIN/PSH last, CWR first, odd tail', () => {
    const spec: SegmentSpec = {
      seq: 4242,
      id: 700,
      flags: TCP.ACK | TCP.PSH | TCP.FIN | TCP.CWR,
      options: TIMESTAMPS,
      payload: bytes(10 * 1436 + 777),
    };
    const got = frames(partial(segment(spec), 20, 16), tcpVnet(false, 1436, true));
    const want = expectedTcp(spec, 1436);
    assert.equal(got?.length, 11);
    assert.deepEqual(got, want);
    assert.deepEqual(
      got.map((p) => p[20 + 13]),
      [TCP.ACK | TCP.CWR, ...Array<number>(9).fill(TCP.ACK), TCP.ACK | TCP.PSH | TCP.FIN],
    );
    for (const p of got) assert.ok(checksumsOk(p) && p.length <= 1500);
  });

  it('cuts an IPv6 TSO packet (payload lengths, no IPv4 fields), odd segment size', () => {
    const spec: SegmentSpec = { v6: true, seq: 1, flags: TCP.ACK | TCP.PSH, payload: bytes(5 * 1221 + 1, 3) };
    const got = frames(partial(segment(spec), 40, 16), tcpVnet(true, 1221));
    assert.deepEqual(got, expectedTcp(spec, 1221));
    assert.equal(got?.at(-1)?.length, 40 + 20 + 1);
  });

  it('cuts at the MTU when gso_size is larger (the MTU shrank under a live connection)', () => {
    const spec: SegmentSpec = { seq: 9, id: 1, options: TIMESTAMPS, payload: bytes(4000, 5) };
    const got = frames(partial(segment(spec), 20, 16), tcpVnet(false, 1448), 1280);
    assert.deepEqual(got, expectedTcp(spec, 1280 - 20 - 32));
    for (const p of got ?? []) assert.ok(p.length <= 1280);
  });

  it('wraps the sequence number modulo 2^32 and the IPv4 ID modulo 2^16', () => {
    const spec: SegmentSpec = { seq: 0xffffffff - 1000, id: 0xfffe, payload: bytes(4 * 1000, 7) };
    const got = frames(partial(segment(spec), 20, 16), tcpVnet(false, 1000));
    assert.deepEqual(got, expectedTcp(spec, 1000));
    assert.deepEqual(
      got?.map((p) => p.readUInt16BE(4)),
      [0xfffe, 0xffff, 0, 1],
    );
  });

  it('a GSO packet of one segment keeps all its flags and gets a completed checksum', () => {
    const spec: SegmentSpec = { seq: 5, flags: TCP.ACK | TCP.PSH | TCP.FIN | TCP.CWR, payload: bytes(99) };
    assert.deepEqual(frames(partial(segment(spec), 20, 16), tcpVnet(false, 1448)), [segment(spec)]);
  });

  it('completes a partial checksum of a plain packet (TUN_F_CSUM) and leaves a plain one alone', () => {
    const p = segment({ seq: 77, payload: bytes(333) });
    const none = { flags: 0, gsoType: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 };
    assert.deepEqual(frames(partial(p, 20, 16), { ...none, flags: NEEDS_CSUM, csumStart: 20, csumOffset: 16 }), [p]);
    assert.deepEqual(frames(p, none), [p]);
  });

  for (const v6 of [false, true]) {
    it(`cuts an IPv${v6 ? 6 : 4} USO packet into its datagrams, gso_size kept even above the MTU`, () => {
      const base: Omit<DatagramSpec, 'payload'> = { v6, id: 40, sport: 5353, dport: 9 };
      const data = bytes(7 * 1200 + 13, 11);
      const whole = partial(datagram({ ...base, payload: data }), v6 ? 40 : 20, 6, 17);
      const vnet = { flags: NEEDS_CSUM, gsoType: GSO.UDP_L4, gsoSize: 1200, csumStart: v6 ? 40 : 20, csumOffset: 6 };
      const want = Array.from({ length: 8 }, (_, i) =>
        datagram({ ...base, id: 40 + i, payload: data.subarray(i * 1200, (i + 1) * 1200) }),
      );
      assert.deepEqual(frames(whole, vnet), want);
      assert.deepEqual(frames(whole, vnet, 1000), want);
      for (const p of want) assert.ok(udpChecksumOk(p));
    });
  }

  it('drops what it cannot cut honestly: bad lengths, mismatched types and offsets, extension headers', () => {
    const v4 = partial(segment({ seq: 1, payload: bytes(3000) }), 20, 16);
    const v6 = partial(segment({ v6: true, seq: 1, payload: bytes(3000) }), 40, 16);
    assert.equal(frames(v4, { ...tcpVnet(false, 1448), gsoSize: 0 }), null);
    assert.equal(frames(v4.subarray(0, v4.length - 1), tcpVnet(false, 1448)), null, 'IP length disagrees');
    assert.equal(frames(v4, tcpVnet(true, 1448)), null, 'TCPV6 on an IPv4 packet');
    assert.equal(frames(v4, { ...tcpVnet(false, 1448), csumStart: 24 }), null, 'checksum start is not L4');
    assert.equal(frames(v4, { ...tcpVnet(false, 1448), gsoType: 3 }), null, 'UFO is never offered');
    const ext = Buffer.from(v6);
    ext[6] = 0; // hop-by-hop options in front of TCP
    assert.equal(frames(ext, tcpVnet(true, 1448)), null);
    const frag = Buffer.from(v4);
    frag.writeUInt16BE(0x2000, 6); // MF
    assert.equal(frames(frag, tcpVnet(false, 1448)), null);
    assert.equal(frames(v4, tcpVnet(false, 2)), null, 'more segments than a read may become');
  });

  it('any TSO packet becomes valid segments within the MTU carrying its payload in order', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1, max: 30000 }),
        fc.integer({ min: 536, max: 1460 }),
        fc.integer({ min: 1280, max: 1500 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (v6, length, mss, mtu, flagBits, seq) => {
          const flags = TCP.ACK | (flagBits & (TCP.PSH | TCP.FIN | TCP.CWR | TCP.ECE));
          const spec: SegmentSpec = { v6, seq, flags, options: TIMESTAMPS, payload: bytes(length, length) };
          const l3 = v6 ? 40 : 20;
          const got = frames(partial(segment(spec), l3, 16), tcpVnet(v6, mss), mtu);
          assert.ok(got);
          assert.deepEqual(got, expectedTcp(spec, Math.min(mss, mtu - l3 - 32)));
          assert.deepEqual(Buffer.concat(got.map(tcpPayload)), spec.payload);
          for (const p of got) assert.ok(p.length <= mtu && checksumsOk(p));
        },
      ),
      { numRuns: 200 },
    );
  });
});
