import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { SessionDataPort } from '../../../../main/engine/datapath/data-port.js';
import { PacketPump } from '../../../../main/engine/datapath/pump.js';
import { SstpDeframer } from '../../../../main/engine/sstp/deframer.js';
import { createMemoryTun } from '../../../../main/engine/tun/tun-memory.js';

class FakePort implements SessionDataPort {
  writes: Buffer[] = [];
  full = false;
  drainWaiters: (() => void)[] = [];
  listeners = new Set<(p: Buffer) => void>();
  paused = 0;
  resumed = 0;
  ipv6Up = false;
  peerMru = 1500;
  writeFramed(bytes: Buffer): boolean {
    this.writes.push(Buffer.from(bytes));
    return !this.full;
  }
  onDrain(cb: () => void): void {
    this.drainWaiters.push(cb);
  }
  drain(): void {
    this.full = false;
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const cb of w) cb();
  }
  onIpPacket(listener: (p: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  receive(p: Buffer): void {
    for (const l of this.listeners) l(p);
  }
  pauseReceive(): void {
    this.paused++;
  }
  resumeReceive(): void {
    this.resumed++;
  }
}

/** A session that hands over IP packets in batches (SstpSession does: one per TLS read burst). */
class BatchPort extends FakePort {
  batchListeners = new Set<(p: readonly Buffer[]) => void>();
  onIpBatch(listener: (p: readonly Buffer[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }
  receiveBatch(packets: Buffer[]): void {
    for (const l of this.batchListeners) l(packets);
  }
}

const v4 = (n: number, len = 40) => {
  const p = Buffer.alloc(len, n);
  p[0] = 0x45;
  return p;
};
const v6 = (len = 60) => {
  const p = Buffer.alloc(len, 7);
  p[0] = 0x60;
  return p;
};

/** The IP packets inside what the pump wrote, checking every SSTP/PPP header on the way. */
function unframe(writes: Buffer[]): { proto: number; ip: Buffer }[] {
  const d = new SstpDeframer();
  const out: { proto: number; ip: Buffer }[] = [];
  for (const w of writes) {
    const r = d.push(w);
    assert.ok(r.ok);
    for (const p of r.packets) {
      assert.equal(p.kind, 'data');
      if (p.kind !== 'data') continue;
      assert.equal(p.frame[0], 0xff);
      assert.equal(p.frame[1], 0x03);
      out.push({ proto: p.frame.readUInt16BE(2), ip: p.frame.subarray(4) });
    }
  }
  assert.equal(d.pendingBytes, 0, 'no partial packet written');
  return out;
}

describe('PacketPump', () => {
  it('frames a TUN batch in place and sends it as one TLS write', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new FakePort();
    pump.attach(port);
    const packets = [v4(1), v4(2, 1500), v4(3, 20)];
    kernel.inject(packets);
    await tick();
    assert.equal(port.writes.length, 1, 'one write for the whole batch');
    assert.deepEqual(
      unframe(port.writes),
      packets.map((ip) => ({ proto: 0x21, ip })),
    );
    assert.equal(pump.stats.txPackets, 3);
    pump.stop();
  });

  it('drops IPv6 until IPv6CP is up, then sends it as protocol 0x57; drops packets above the server MRU', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new FakePort();
    port.peerMru = 1400;
    pump.attach(port);
    kernel.inject([v4(1), v6(), v4(2, 1401), v4(3)]);
    await tick();
    assert.deepEqual(
      unframe(port.writes).map((p) => p.ip[1]),
      [1, 3],
    );
    assert.equal(pump.stats.txDropped, 2);
    port.ipv6Up = true;
    port.writes = [];
    kernel.inject([v6()]);
    await tick();
    assert.deepEqual(
      unframe(port.writes).map((p) => p.proto),
      [0x57],
    );
    pump.stop();
  });

  it('pauses TUN reads while TLS is backed up and resumes on drain', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new FakePort();
    pump.attach(port);
    port.full = true;
    kernel.inject([v4(1)]);
    await tick();
    assert.equal(port.writes.length, 1);
    kernel.inject([v4(2), v4(3)]);
    await tick();
    await tick();
    assert.equal(port.writes.length, 1, 'nothing read while TLS is full');
    assert.equal(pump.stats.tlsStalls, 1);
    port.drain();
    await tick();
    await tick();
    assert.deepEqual(
      unframe(port.writes).map((p) => p.ip[1]),
      [1, 2, 3],
      'nothing lost, order kept',
    );
    pump.stop();
  });

  it('writes received packets to the TUN, and pauses TLS reads while the TUN is full', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new FakePort();
    pump.attach(port);
    port.receive(v4(1));
    assert.equal(kernel.written.length, 1);
    kernel.setWriteCapacity(0);
    port.receive(v4(2));
    port.receive(v4(3));
    assert.equal(port.paused, 1, 'TLS reading paused once');
    assert.equal(kernel.written.length, 1);
    kernel.setWriteCapacity(Infinity);
    await tick();
    await tick();
    assert.deepEqual(
      kernel.written.map((p) => p[1]),
      [1, 2, 3],
      'backlog written in order',
    );
    assert.equal(port.resumed, 1);
    assert.equal(pump.stats.rxPackets, 3);
    pump.stop();
  });

  it('drops outbound packets while detached (reconnecting) and carries the next session', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const first = new FakePort();
    pump.attach(first);
    pump.detach();
    kernel.inject([v4(1)]);
    await tick();
    assert.equal(pump.stats.txDropped, 1);
    first.receive(v4(9));
    assert.equal(kernel.written.length, 0, 'the old session no longer reaches the TUN');
    const second = new FakePort();
    pump.attach(second);
    kernel.inject([v4(2)]);
    await tick();
    assert.deepEqual(
      unframe(second.writes).map((p) => p.ip[1]),
      [2],
    );
    pump.stop();
  });

  it('writes a received batch to the TUN in one call', () => {
    const { device, kernel } = createMemoryTun();
    const calls: number[] = [];
    const write = device.write.bind(device);
    device.write = (packets, start) => {
      calls.push(packets.length - (start ?? 0));
      return write(packets, start);
    };
    const pump = new PacketPump(device);
    const port = new BatchPort();
    pump.attach(port);
    port.receiveBatch([v4(1), v4(2), v4(3)]);
    port.receive(v4(4)); // per-packet listeners are not what the pump uses when batches exist
    assert.deepEqual(calls, [3]);
    assert.deepEqual(
      kernel.written.map((p) => p[1]),
      [1, 2, 3],
    );
    assert.equal(pump.stats.rxPackets, 3);
    assert.equal(pump.stats.rxBytes, 120);
    pump.stop();
  });

  it('a batch the TUN takes only partly: the rest waits, TLS reads pause once, later batches queue behind in order', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new BatchPort();
    pump.attach(port);
    kernel.setWriteCapacity(2);
    const batch = [v4(1), v4(2), v4(3), v4(4)];
    port.receiveBatch(batch);
    assert.equal(kernel.written.length, 2);
    assert.equal(port.paused, 1);
    port.receiveBatch([v4(5), v4(6)]); // already read from TLS before the pause took effect
    assert.equal(port.paused, 1, 'paused once');
    assert.equal(pump.stats.tunStalls, 1);
    assert.equal(batch.length, 4, "the session's array is not modified");
    kernel.setWriteCapacity(Infinity);
    await tick();
    await tick();
    assert.deepEqual(
      kernel.written.map((p) => p[1]),
      [1, 2, 3, 4, 5, 6],
      'nothing lost, order kept',
    );
    assert.equal(port.resumed, 1);
    pump.stop();
  });

  it('detach drops the backlog and stops taking batches from the old session', () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new BatchPort();
    pump.attach(port);
    kernel.setWriteCapacity(0);
    port.receiveBatch([v4(1), v4(2)]);
    pump.detach();
    assert.equal(port.batchListeners.size, 0);
    kernel.setWriteCapacity(Infinity);
    port.receiveBatch([v4(3)]);
    assert.equal(kernel.written.length, 0);
    pump.stop();
  });

  it('what waits for the TUN is a copy: the session may write its read buffer again after the batch', async () => {
    const { device, kernel } = createMemoryTun();
    const pump = new PacketPump(device);
    const port = new BatchPort();
    pump.attach(port);
    kernel.setWriteCapacity(1);
    // Views into one read buffer, as the session's arena hands them out.
    const arena = Buffer.alloc(3 * 40);
    for (let i = 0; i < 3; i++) v4(i + 1).copy(arena, i * 40);
    port.receiveBatch([0, 1, 2].map((i) => arena.subarray(i * 40, i * 40 + 40)));
    const later = Buffer.alloc(2 * 40);
    for (let i = 0; i < 2; i++) v4(i + 4).copy(later, i * 40);
    port.receiveBatch([0, 1].map((i) => later.subarray(i * 40, i * 40 + 40)));
    // The burst is over: the session's next reads overwrite both buffers.
    arena.fill(0xee);
    later.fill(0xee);
    kernel.setWriteCapacity(Infinity);
    await tick();
    await tick();
    assert.deepEqual(
      kernel.written.map((p) => p.toString('hex')),
      [1, 2, 3, 4, 5].map((n) => v4(n).toString('hex')),
      'every packet byte-exact, in order',
    );
    pump.stop();
  });
});
