import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SstpDeframer, type FramedPacket } from '../../../../main/engine/sstp/deframer.js';
import {
  bareMessage,
  callConnectRequest,
  encodeControlPacket,
  encodeDataPacket,
} from '../../../../main/engine/sstp/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Comparable form: kind + bytes as hex. */
function flat(packets: readonly FramedPacket[]): string[] {
  return packets.map((p) =>
    p.kind === 'data' ? `data:${p.frame.toString('hex')}` : `control:${p.packet.toString('hex')}`,
  );
}

function pushAll(d: SstpDeframer, chunks: Buffer[]): FramedPacket[] {
  const out: FramedPacket[] = [];
  for (const c of chunks) {
    const r = d.push(c);
    assert.ok(r.ok, r.ok ? '' : r.error.reason);
    out.push(...r.packets);
  }
  return out;
}

const data1 = encodeDataPacket(hex('ff03c021 0101000a 05060011 2233'));
const ctrl = encodeControlPacket(callConnectRequest());
const data2 = encodeDataPacket(hex('ff030021 45000014'));
const echo = encodeControlPacket(bareMessage('ECHO_REQUEST'));
const stream = Buffer.concat([data1, ctrl, data2, echo]);
const expected = [
  `data:${data1.subarray(4).toString('hex')}`,
  `control:${ctrl.toString('hex')}`,
  `data:${data2.subarray(4).toString('hex')}`,
  `control:${echo.toString('hex')}`,
];

describe('SstpDeframer', () => {
  it('splits many packets in one chunk, as views without copying', () => {
    const d = new SstpDeframer();
    const r = d.push(stream);
    assert.ok(r.ok);
    assert.deepEqual(flat(r.packets), expected);
    const first = r.packets[0];
    assert.ok(first?.kind === 'data');
    assert.equal(first.frame.buffer, stream.buffer, 'whole packets are subarrays of the chunk');
    assert.equal(first.frame.byteOffset, stream.byteOffset + 4);
    assert.equal(d.pendingBytes, 0);
  });

  it('reassembles a packet split across chunks, including a split header', () => {
    for (const cut of [1, 2, 3, 4, 5, data1.length - 1]) {
      const d = new SstpDeframer();
      const got = pushAll(d, [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(flat(got), expected, `cut at ${cut}`);
    }
  });

  it('delivers byte-by-byte input, and reassembled packets stay intact after later pushes', () => {
    const d = new SstpDeframer();
    const got: FramedPacket[] = [];
    for (let i = 0; i < stream.length; i++) {
      const r = d.push(Buffer.from(stream.subarray(i, i + 1)));
      assert.ok(r.ok);
      got.push(...r.packets);
    }
    assert.deepEqual(flat(got), expected);
  });

  it('handles a header-only packet completed by a later chunk', () => {
    const d = new SstpDeframer();
    const got = pushAll(d, [hex('10'), hex('00 00'), hex('04 10 01 00 08 00 08 00 00')]);
    assert.deepEqual(flat(got), ['data:', `control:${echo.toString('hex')}`]);
  });

  it('reports what is pending when the stream stops mid-packet', () => {
    const d = new SstpDeframer();
    pushAll(d, [data1.subarray(0, 2)]);
    assert.equal(d.pendingBytes, 2);
    pushAll(d, [data1.subarray(2, 7)]);
    assert.equal(d.pendingBytes, 7);
  });

  it('rejects a bad version with a typed error and stays failed', () => {
    const d = new SstpDeframer();
    const r = d.push(Buffer.concat([data1, hex('11 00 00 08 00 00 00 00')]));
    assert.ok(!r.ok);
    assert.equal(r.error.field, 'version');
    assert.deepEqual(flat(r.packets), [expected[0]], 'packets before the bad header are delivered');
    const again = d.push(data1);
    assert.ok(!again.ok);
    assert.equal(again.packets.length, 0);
    assert.equal(d.failed?.field, 'version');
  });

  it('rejects a length below 4 (also when the header is split) instead of wedging', () => {
    for (const chunks of [[hex('10 00 00 02')], [hex('10 00'), hex('f0 03 aa')]]) {
      const d = new SstpDeframer();
      let error: string | undefined;
      for (const c of chunks) {
        const r = d.push(c);
        if (!r.ok) error = r.error.field;
      }
      assert.equal(error, 'length');
    }
  });

  it('same packets under random re-chunking', () => {
    const packetArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => encodeDataPacket(Buffer.from(a))),
      fc.constantFrom(ctrl, echo),
    );
    fc.assert(
      fc.property(
        fc.array(packetArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (packets, cuts) => {
          const all = Buffer.concat(packets);
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, all.length]) {
            chunks.push(Buffer.from(all.subarray(prev, p)));
            prev = p;
          }
          const one = new SstpDeframer().push(all);
          assert.ok(one.ok);
          const d = new SstpDeframer();
          assert.deepEqual(flat(pushAll(d, chunks)), flat(one.packets));
          assert.equal(one.packets.length, packets.length);
          assert.equal(d.pendingBytes, 0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws or loops on random bytes in random chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const d = new SstpDeframer();
        let total = 0;
        for (const c of chunks) {
          const r = d.push(Buffer.from(c));
          for (const p of r.packets) total += p.kind === 'data' ? p.frame.length + 4 : p.packet.length;
          if (!r.ok) assert.ok(r.error.field === 'version' || r.error.field === 'length');
        }
        assert.ok(total + d.pendingBytes <= chunks.reduce((n, c) => n + c.length, 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('pushTo hands the sink the same packets as push, data as (chunk, start, end) with no copy', () => {
    const seen: string[] = [];
    const chunks: Buffer[] = [];
    const sink = {
      data: (bytes: Buffer, start: number, end: number) => {
        chunks.push(bytes);
        seen.push(`data:${bytes.subarray(start, end).toString('hex')}`);
      },
      control: (packet: Buffer) => void seen.push(`control:${packet.toString('hex')}`),
    };
    assert.equal(new SstpDeframer().pushTo(stream, sink), undefined);
    assert.deepEqual(seen, expected);
    assert.equal(chunks[0], stream, 'the chunk itself, not a view');
    // Split anywhere: the same packets, a reassembled one comes as its own buffer.
    for (const cut of [1, 3, 5, data1.length + 2]) {
      seen.length = 0;
      const d = new SstpDeframer();
      assert.equal(d.pushTo(stream.subarray(0, cut), sink), undefined);
      assert.equal(d.pushTo(stream.subarray(cut), sink), undefined);
      assert.deepEqual(seen, expected, `cut at ${cut}`);
    }
  });

  it('pushTo returns the error after delivering the packets before it, and stays failed', () => {
    const seen: string[] = [];
    const sink = { data: () => void seen.push('data'), control: () => void seen.push('control') };
    const d = new SstpDeframer();
    const error = d.pushTo(Buffer.concat([data1, ctrl, hex('11 00 00 08 00 00 00 00'), data2]), sink);
    assert.equal(error?.field, 'version');
    assert.deepEqual(seen, ['data', 'control']);
    assert.equal(d.pushTo(data1, sink)?.field, 'version');
    assert.deepEqual(seen, ['data', 'control']);
  });
});
