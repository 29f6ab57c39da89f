// MSS clamping, byte-exact: the expected packets were built by an independent script (Python, full
// checksum over pseudo-header + segment), not by the code under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampMss, mssForMtu, needsMssClamp } from '../../../../main/engine/datapath/mss-clamp.js';
import { internetChecksum } from '../../../../main/engine/packet/checksum.js';

const hex = (h: string) => Buffer.from(h, 'hex');
// IPv4 SYN, options MSS 1460, SACK-permitted, timestamps, NOP, wscale 7.
const V4_1460 =
  '4500003c1234400040063fd90a000002c0a81e059c401f90abcdef0100000000a002faf0c9590000020405b40402080a112233440000000001030307';
const V4_1260 =
  '4500003c1234400040063fd90a000002c0a81e059c401f90abcdef0100000000a002faf0ca210000020404ec0402080a112233440000000001030307';
// The same with one NOP before MSS: the value sits on an odd offset of the segment.
const V4ODD_1460 =
  '450000401234400040063fd50a000002c0a81e059c401f90abcdef0100000000b002faf0df2b000001020405b40402080a112233440000000001030307010101';
const V4ODD_1260 =
  '450000401234400040063fd50a000002c0a81e059c401f90abcdef0100000000b002faf0a72c000001020404ec0402080a112233440000000001030307010101';
// IPv6 SYN-ACK, MSS 1440 → 1240 (maxMss 1260 for IPv4 means 1240 for IPv6).
const V6_1440 =
  '60000000001c0640fd000000000000000000000000000002fd0000000000000000000000000000019c4101bb00000001000000007012fde8ed380000020405a001010402';
const V6_1240 =
  '60000000001c0640fd000000000000000000000000000002fd0000000000000000000000000000019c4101bb00000001000000007012fde8ee000000020404d801010402';

for (const [name, input, expected] of [
  ['IPv4 SYN', V4_1460, V4_1260],
  ['IPv4 SYN, MSS at an odd offset', V4ODD_1460, V4ODD_1260],
  ['IPv6 SYN-ACK', V6_1440, V6_1240],
] as const) {
  test(`${name}: MSS lowered to the clamp, checksum fixed, every other byte unchanged`, () => {
    const p = hex(input);
    assert.equal(needsMssClamp(p, 0, p.length, 1260), true);
    assert.equal(clampMss(p, 0, p.length, 1260), true);
    assert.equal(p.toString('hex'), expected);
  });
}

test('the clamped IPv4 segment checksums to zero with its pseudo-header', () => {
  const p = hex(V4_1460);
  clampMss(p, 0, p.length, mssForMtu(1300));
  const tcp = p.subarray(20);
  const pseudo = Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6]), Buffer.from([0, tcp.length]), tcp]);
  assert.equal(internetChecksum(pseudo), 0);
  assert.equal(p.readUInt16BE(20 + 22), 1260);
});

test('an MSS already at or below the clamp is left alone', () => {
  const p = hex(V4_1260);
  assert.equal(clampMss(p, 0, p.length, 1260), false);
  assert.equal(clampMss(p, 0, p.length, 1400), false);
  assert.equal(p.toString('hex'), V4_1260);
});

test('inside a larger buffer (TUN batch): only the packet range is touched', () => {
  const inner = hex(V4_1460);
  const buf = Buffer.concat([Buffer.alloc(8, 0xee), inner, Buffer.alloc(5, 0xdd)]);
  assert.equal(clampMss(buf, 8, 8 + inner.length, 1260), true);
  assert.equal(buf.subarray(8, 8 + inner.length).toString('hex'), V4_1260);
  assert.ok(buf.subarray(0, 8).every((b) => b === 0xee) && buf.subarray(8 + inner.length).every((b) => b === 0xdd));
});

test('not a SYN, not TCP, a fragment, truncated or malformed options: unchanged, no throw', () => {
  const cases: [string, (p: Buffer) => Buffer][] = [
    ['ACK only', (p) => ((p[33] = 0x10), p)],
    ['UDP', (p) => ((p[9] = 17), p)],
    ['fragment offset', (p) => (p.writeUInt16BE(0x2001, 6), p)],
    ['truncated', (p) => p.subarray(0, 30)],
    ['option length 0', (p) => ((p[41] = 0), p)],
    ['option runs past the header', (p) => ((p[41] = 40), p)],
    ['MSS length 3', (p) => ((p[41] = 3), p)],
    ['total length beyond the buffer', (p) => (p.writeUInt16BE(200, 2), p)],
    ['IPv6 with an extension header first', () => ((hex(V6_1440)[6] = 0), hex(V6_1440).fill(0, 6, 7))],
    ['not IP', (p) => ((p[0] = 0x15), p)],
  ];
  for (const [name, mutate] of cases) {
    const p = mutate(hex(V4_1460));
    const before = Buffer.from(p);
    assert.equal(clampMss(p, 0, p.length, 1000), false, name);
    assert.deepEqual(p, before, name);
  }
  for (let n = 0; n < 60; n++) {
    const p = hex(V4_1460).subarray(0, n);
    assert.doesNotThrow(() => clampMss(p, 0, p.length, 1000));
  }
});
