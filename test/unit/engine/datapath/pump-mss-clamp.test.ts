// The pump with MSS clamping on: SYNs both ways get the clamp, the session's shared (read-only)
// inbound buffers are never written, other packets pass byte for byte.
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { it } from 'node:test';
import type { SessionDataPort } from '../../../../main/engine/datapath/data-port.js';
import { PacketPump } from '../../../../main/engine/datapath/pump.js';
import { SstpDeframer } from '../../../../main/engine/sstp/deframer.js';
import { createMemoryTun } from '../../../../main/engine/tun/tun-memory.js';

// IPv4 SYN with MSS 1460 and the same packet with MSS 1260 (built by an independent script).
const SYN_1460 =
  '4500003c1234400040063fd90a000002c0a81e059c401f90abcdef0100000000a002faf0c9590000020405b40402080a112233440000000001030307';
const SYN_1260 =
  '4500003c1234400040063fd90a000002c0a81e059c401f90abcdef0100000000a002faf0ca210000020404ec0402080a112233440000000001030307';
const hex = (h: string) => Buffer.from(h, 'hex');

function port(): SessionDataPort & { writes: Buffer[]; receive(p: Buffer[]): void } {
  const listeners = new Set<(p: Buffer) => void>();
  return {
    writes: [],
    ipv6Up: false,
    peerMru: 1500,
    writeFramed(b) {
      this.writes.push(Buffer.from(b));
      return true;
    },
    onDrain: (cb) => cb(),
    onIpPacket(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    receive(ps) {
      for (const p of ps) for (const l of listeners) l(p);
    },
    pauseReceive() {},
    resumeReceive() {},
  };
}

it('clamps outbound SYNs (TUN → tunnel) and inbound SYNs (tunnel → TUN), copying inbound ones', async () => {
  const { device, kernel } = createMemoryTun();
  const pump = new PacketPump(device, { mssClamp: 1260 });
  const p = port();
  pump.attach(p);
  const other = Buffer.alloc(60, 9);
  other[0] = 0x45;
  kernel.inject([hex(SYN_1460), other]);
  await tick();
  const d = new SstpDeframer();
  const sent = p.writes.flatMap((w) => {
    const r = d.push(w);
    assert.ok(r.ok);
    return r.packets.map((x) => (x.kind === 'data' ? x.frame.subarray(4).toString('hex') : ''));
  });
  assert.deepEqual(sent, [SYN_1260, other.toString('hex')]);

  const inbound = hex(SYN_1460);
  p.receive([inbound]);
  await tick();
  const written = kernel.written;
  assert.equal(written.at(-1)?.toString('hex'), SYN_1260);
  assert.equal(inbound.toString('hex'), SYN_1460, 'the session buffer is not written');
  assert.equal(pump.stats.mssClamped, 2);
  pump.stop();
});

it('without the option nothing is rewritten', async () => {
  const { device, kernel } = createMemoryTun();
  const pump = new PacketPump(device);
  const p = port();
  pump.attach(p);
  p.receive([hex(SYN_1460)]);
  await tick();
  assert.equal(kernel.written.at(-1)?.toString('hex'), SYN_1460);
  pump.stop();
});
