import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SSTP_PPP_HEADROOM, frameAt, makeBatch, packetAt } from '../../../../main/engine/tun/packet-batch.js';

test('a batch holds every packet behind its own zeroed headroom', () => {
  const packets = [Buffer.from('45000014', 'hex'), Buffer.from('6000', 'hex'), Buffer.from('4500', 'hex')];
  const b = makeBatch(packets, SSTP_PPP_HEADROOM);
  assert.equal(b.count, 3);
  assert.deepEqual([...b.bounds], [0, 12, 22, 32]);
  packets.forEach((p, i) => {
    assert.deepEqual(packetAt(b, i), p);
    assert.deepEqual(frameAt(b, i).subarray(0, 8), Buffer.alloc(8));
  });
});

test('headers written into the headroom make the batch contiguous SSTP data packets', () => {
  const packets = [Buffer.alloc(20, 0x45), Buffer.alloc(40, 0x60)];
  const b = makeBatch(packets, SSTP_PPP_HEADROOM);
  for (let i = 0; i < b.count; i++) {
    const frame = frameAt(b, i);
    // SSTP data packet: version 1.0, C=0, length (12 bits) covering the whole frame; PPP FF 03 + protocol.
    frame.writeUInt8(0x10, 0);
    frame.writeUInt8(0x00, 1);
    frame.writeUInt16BE(frame.length & 0x0fff, 2);
    frame.writeUInt16BE(0xff03, 4);
    frame.writeUInt16BE(packetAt(b, i)[0] === 0x45 ? 0x0021 : 0x0057, 6);
  }
  const wire = b.buffer.subarray(b.bounds[0], b.bounds[b.count]);
  assert.equal(wire.toString('hex', 0, 8), '1000001cff030021');
  assert.equal(wire.toString('hex', 28, 36), '10000030ff030057');
  assert.equal(wire.length, 28 + 48);
});

test('views, not copies', () => {
  const b = makeBatch([Buffer.from([1, 2, 3])], 4);
  packetAt(b, 0)[0] = 9;
  assert.equal(b.buffer[4], 9);
  assert.throws(() => packetAt(b, 1), RangeError);
});
