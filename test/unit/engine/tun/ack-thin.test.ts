// ACK thinning in one TUN write (native/tun/ack_thin.c) through the test addon's coalesce() hook:
// which pure ACKs write() leaves out because the next packet of the batch supersedes them, and
// (most of the table) which it must keep. No device or root needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { segment, TCP, type SegmentSpec } from './tcp-segments.js';
import { loadTestAddon, type TunTestAddon } from './test-addon.js';

const addon: TunTestAddon | undefined = loadTestAddon();

const TS = (value: number, echo: number): Buffer => {
  const b = Buffer.from('0101080a0000000000000000', 'hex');
  b.writeUInt32BE(value, 4);
  b.writeUInt32BE(echo, 8);
  return b;
};

// The server's pure ACKs of one upload: no payload, flags ACK, timestamps.
const ack = (o: Partial<SegmentSpec> = {}): Buffer =>
  segment({
    sport: 8081,
    dport: 40000,
    seq: 777,
    ack: 10_000,
    window: 501,
    options: TS(100, 50),
    payload: Buffer.alloc(0),
    ...o,
  });

/** Indices of `packets` that write() would hand the kernel (merged or not). */
function written(packets: Buffer[]): number[] {
  assert.ok(addon);
  const out: number[] = [];
  for (let i = 0; i < packets.length;) {
    const w = addon.coalesce(packets, i);
    if (w.thinned) {
      assert.equal(w.consumed, 1);
      assert.deepEqual(w.packet, packets[i], 'a thinned write reports the packet it leaves out');
    } else {
      out.push(i);
    }
    i += w.consumed;
  }
  return out;
}

const thinned = (first: Buffer, second: Buffer): boolean => written([first, second]).length === 1;

describe(
  'TUN addon: ACK thinning in one write',
  { skip: addon === undefined ? 'native/tun is not built' : false },
  () => {
    const first = ack();
    const corruptLater = Buffer.from(ack({ ack: 11_448 }));
    corruptLater.writeUInt16BE(corruptLater.readUInt16BE(36) ^ 0x0001, 36); // TCP checksum
    const corruptEarlier = Buffer.from(first);
    corruptEarlier.writeUInt16BE(corruptEarlier.readUInt16BE(36) ^ 0x0001, 36);
    const sack = Buffer.from('0101050a000027100000281c', 'hex'); // NOP NOP SACK one block
    const table: [string, Buffer, Buffer, boolean][] = [
      // left out: the later ACK acknowledges more, everything else equal
      ['a later ACK of the same flow with a larger ack number', first, ack({ ack: 11_448 }), true],
      ['the same with newer timestamps', first, ack({ ack: 11_448, options: TS(101, 57) }), true],
      [
        'the same without options',
        ack({ options: Buffer.alloc(0) }),
        ack({ ack: 12_000, options: Buffer.alloc(0) }),
        true,
      ],
      ['an ack number across the 2^32 wrap', ack({ ack: 0xffffff00 }), ack({ ack: 0x100 }), true],
      ['IPv6', ack({ v6: true }), ack({ v6: true, ack: 11_448 }), true],
      [
        'an earlier ACK that does not verify (the kernel would drop it anyway)',
        corruptEarlier,
        ack({ ack: 11_448 }),
        true,
      ],
      // kept: the ACK carries something the later one does not
      ['a duplicate ACK (same ack number: fast retransmit counts them)', first, ack(), false],
      ['a duplicate ACK with newer timestamps', first, ack({ options: TS(101, 57) }), false],
      ['an older ack number (reordered)', ack({ ack: 11_448 }), first, false],
      ['an ack number 2^31 ahead (as TCP compares: behind)', first, ack({ ack: 10_000 + 0x80000000 }), false],
      ['a window update', first, ack({ ack: 11_448, window: 600 }), false],
      ['SACK blocks on the later ACK', first, ack({ ack: 11_448, options: sack }), false],
      ['SACK blocks on the earlier ACK', ack({ options: sack }), ack({ ack: 11_448, options: sack }), false],
      [
        'other options (MSS)',
        ack({ options: Buffer.from('02040578', 'hex') }),
        ack({ ack: 11_448, options: Buffer.from('02040578', 'hex') }),
        false,
      ],
      ['options of another length', first, ack({ ack: 11_448, options: Buffer.alloc(0) }), false],
      ['data on the later packet', first, ack({ ack: 11_448, payload: Buffer.from('x') }), false],
      ['data on the earlier packet', ack({ payload: Buffer.from('x') }), ack({ seq: 778, ack: 11_448 }), false],
      ['another sequence number', first, ack({ seq: 778, ack: 11_448 }), false],
      ['another source port (another flow)', first, ack({ sport: 8082, ack: 11_448 }), false],
      ['another destination port', first, ack({ dport: 40001, ack: 11_448 }), false],
      ['another source address', first, ack({ src: '10.97.1.6', ack: 11_448 }), false],
      ['another TOS (ECN CE)', first, ack({ tos: 3, ack: 11_448 }), false],
      ['another TTL', first, ack({ ttl: 63, ack: 11_448 }), false],
      ['IPv4 then IPv6', first, ack({ v6: true, ack: 11_448 }), false],
      ['a later ACK that does not verify', first, corruptLater, false],
    ];
    for (const [flag, name] of [
      [TCP.PSH, 'PSH'],
      [TCP.FIN, 'FIN'],
      [TCP.SYN, 'SYN'],
      [TCP.RST, 'RST'],
      [TCP.URG, 'URG'],
      [TCP.ECE, 'ECE'],
      [TCP.CWR, 'CWR'],
    ] as const) {
      table.push([`${name} on the later packet`, first, ack({ ack: 11_448, flags: TCP.ACK | flag }), false]);
      table.push([`${name} on the earlier packet`, ack({ flags: TCP.ACK | flag }), ack({ ack: 11_448 }), false]);
    }
    for (const [what, a, b, expected] of table) {
      it(`${expected ? 'leaves out' : 'keeps'} an ACK before ${what}`, () => {
        assert.equal(thinned(a, b), expected);
      });
    }

    it('a run of pure ACKs goes as its last one; a duplicate in the run keeps the one before it', () => {
      const run = [0, 1, 2, 3, 4].map((i) => ack({ ack: 10_000 + i * 2896, options: TS(100 + i, 50) }));
      assert.deepEqual(written(run), [4]);
      const dup = [
        ack({ ack: 10_000 }),
        ack({ ack: 12_896 }),
        ack({ ack: 12_896 }),
        ack({ ack: 12_896 }),
        ack({ ack: 15_792 }),
      ];
      assert.deepEqual(written(dup), [1, 2, 4]);
    });

    it('only neighbours: ACKs of two flows interleaved, or with a data segment between them, all go', () => {
      const other = (n: number) => ack({ sport: 8082, ack: n });
      assert.deepEqual(written([ack({ ack: 1 }), other(1), ack({ ack: 2 }), other(2)]), [0, 1, 2, 3]);
      const data = segment({ sport: 8081, dport: 40000, seq: 777, ack: 10_000, payload: Buffer.alloc(100, 1) });
      assert.deepEqual(written([ack({ ack: 1 }), data, ack({ ack: 2 })]), [0, 1, 2]);
    });

    it('the last packet of a batch is never left out, nor anything but a TCP pure ACK', () => {
      assert.deepEqual(written([first]), [0]);
      assert.deepEqual(written([Buffer.alloc(0), first]), [0, 1]);
      assert.deepEqual(written([Buffer.alloc(52, 0x45), ack({ ack: 11_448 })]), [0, 1]);
    });
  },
);
