import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packetAt, type PacketBatch } from '../../../../main/engine/tun/packet-batch.js';
import { createMemoryTun, createMemoryTunPair } from '../../../../main/engine/tun/tun-memory.js';

const pkt = (n: number) => Buffer.from([0x45, n]);
const immediate = () => new Promise((r) => setImmediate(r));

test('injected packets arrive in batches from the event loop, capped per wake-up', async () => {
  const { device, kernel } = createMemoryTun({ maxPackets: 4 });
  const batches: PacketBatch[] = [];
  device.onPackets((b) => batches.push(b));
  kernel.inject(Array.from({ length: 10 }, (_, i) => pkt(i)));
  assert.equal(batches.length, 0, 'never synchronously');
  for (let i = 0; i < 4; i++) await immediate();
  assert.deepEqual(
    batches.map((b) => b.count),
    [4, 4, 2],
  );
  assert.deepEqual(packetAt(batches[2]!, 1), pkt(9));
  assert.equal(device.stats().rxWakeups, 3);
});

test('pause holds packets (dropping past the queue limit); resume delivers them', async () => {
  const { device, kernel } = createMemoryTun({ queueLimit: 3 });
  let got = 0;
  device.onPackets((b) => (got += b.count));
  device.pause();
  kernel.inject([pkt(1), pkt(2), pkt(3), pkt(4)]);
  await immediate();
  assert.equal(got, 0);
  assert.equal(kernel.dropped, 1);
  device.resume();
  await immediate();
  assert.equal(got, 3);
});

test('writes stop short when the device is full and resume from the returned index', async () => {
  const { device, kernel } = createMemoryTun();
  kernel.setWriteCapacity(2);
  const packets = [pkt(1), pkt(2), pkt(3), pkt(4)];
  const n = device.write(packets);
  assert.equal(n, 2);
  let writable = false;
  device.onWritable(() => (writable = true));
  await immediate();
  assert.equal(writable, false);
  kernel.setWriteCapacity(Infinity);
  await immediate();
  assert.equal(writable, true);
  assert.equal(device.write(packets, n), 4);
  assert.deepEqual(kernel.written, packets);
  assert.equal(device.stats().txEagain, 1);
});

test('a pair exchanges packets both ways', async () => {
  const [a, b] = createMemoryTunPair();
  const atB = new Promise<Buffer>((resolve) => b.onPackets((batch) => resolve(Buffer.from(packetAt(batch, 0)))));
  a.write([pkt(7)]);
  assert.deepEqual(await atB, pkt(7));
});

test('failure is reported once; close is idempotent', async () => {
  const { device, kernel } = createMemoryTun();
  const errors: string[] = [];
  device.onError((e) => errors.push(e.code));
  kernel.fail({ code: 'EBADFD', message: 'gone' });
  kernel.fail({ code: 'EBADFD', message: 'gone' });
  assert.deepEqual(errors, ['EBADFD']);
  device.close();
  device.close();
  assert.equal(device.closed, true);
  assert.throws(() => device.mtu());
});
