import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAGMENT_OVERHEAD,
  FragmentSender,
  Reassembler,
  ackFragment,
  decodeTlsFragment,
  encodeTlsFragment,
  fragmentMessage,
  maxFragmentData,
} from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';
import type { TlsFragment } from '../../../../../main/engine/ppp/auth/eap-tls-fragments.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const frag = (over: Partial<TlsFragment>): TlsFragment => ({
  start: false,
  more: false,
  version: 0,
  data: Buffer.alloc(0),
  ...over,
});

test('codec: byte-exact Type-Data for each flag combination (RFC 5216 §3.1)', () => {
  const cases: { name: string; f: TlsFragment; bytes: string }[] = [
    { name: 'ACK', f: ackFragment(), bytes: '00' },
    { name: 'Start', f: frag({ start: true }), bytes: '20' },
    { name: 'unfragmented', f: frag({ data: h('160301') }), bytes: '00 160301' },
    {
      name: 'first of several (L+M)',
      f: frag({ more: true, totalLength: 0x01020304, data: h('16') }),
      bytes: 'c0 01020304 16',
    },
    { name: 'middle (M)', f: frag({ more: true, data: h('aabb') }), bytes: '40 aabb' },
    { name: 'L alone', f: frag({ totalLength: 2, data: h('aabb') }), bytes: '80 00000002 aabb' },
    { name: 'PEAP version 1 Start', f: frag({ start: true, version: 1 }), bytes: '21' },
  ];
  for (const c of cases) {
    const enc = encodeTlsFragment(c.f);
    assert.equal(enc.toString('hex'), c.bytes.replace(/\s/g, ''), c.name);
    const d = decodeTlsFragment(enc);
    assert.ok(d.ok, c.name);
    assert.deepEqual(
      { ...d.value, data: d.value.data.toString('hex') },
      { ...c.f, data: c.f.data.toString('hex') },
      c.name,
    );
  }
});

test("codec: SoftEther's ACK with no Flags octet reads as an ACK; reserved bits are ignored", () => {
  const empty = decodeTlsFragment(Buffer.alloc(0));
  assert.ok(empty.ok);
  assert.deepEqual(
    { ...empty.value, data: empty.value.data.length },
    { start: false, more: false, version: 0, data: 0 },
  );
  const reserved = decodeTlsFragment(h('18 aa'));
  assert.ok(reserved.ok);
  assert.equal(reserved.value.data.toString('hex'), 'aa');
});

test('codec: L flag without its four length bytes is a typed error', () => {
  for (const bytes of ['80', '80 00', 'c0 000000']) {
    const d = decodeTlsFragment(h(bytes));
    assert.equal(d.ok, false, bytes);
    if (!d.ok) assert.equal(d.error.field, 'TLS Message Length');
  }
});

test('fragmentation: table of message sizes against the fragment room', () => {
  const cases = [
    { size: 0, room: 100, expect: [[0, '']] },
    { size: 100, room: 100, expect: [[100, '']] },
    {
      size: 101,
      room: 100,
      expect: [
        [100, 'LM'],
        [1, ''],
      ],
    },
    {
      size: 250,
      room: 100,
      expect: [
        [100, 'LM'],
        [100, 'M'],
        [50, ''],
      ],
    },
    {
      size: 300,
      room: 100,
      expect: [
        [100, 'LM'],
        [100, 'M'],
        [100, ''],
      ],
    },
  ] as const;
  for (const c of cases) {
    const msg = Buffer.alloc(c.size, 7);
    const got = fragmentMessage(msg, c.room).map((f) => [
      f.data.length,
      `${f.totalLength !== undefined ? 'L' : ''}${f.more ? 'M' : ''}`,
    ]);
    assert.deepEqual(got, c.expect, `size ${c.size}`);
    const first = fragmentMessage(msg, c.room)[0];
    if (c.size > c.room) assert.equal(first?.totalLength, c.size);
    assert.ok(fragmentMessage(msg, c.room).every((f) => encodeTlsFragment(f).length + 5 <= c.room + FRAGMENT_OVERHEAD));
  }
});

test('fragment room follows the peer MRU: every EAP packet fits the PPP information field', () => {
  for (const mru of [1500, 1400, 576, 100]) {
    const room = maxFragmentData(mru);
    const sender = new FragmentSender(Buffer.alloc(5000), room);
    for (let f = sender.next(); f !== undefined; f = sender.next()) {
      // EAP header (4) + Type (1) + Type-Data.
      assert.ok(5 + encodeTlsFragment(f).length <= Math.max(mru, 64 + FRAGMENT_OVERHEAD), `MRU ${mru}`);
    }
  }
});

test('reassembly: fragments in, the message out, ACK steps in between', () => {
  const msg = Buffer.from(Array.from({ length: 250 }, (_, i) => i));
  const r = new Reassembler(1000);
  const frags = fragmentMessage(msg, 100);
  assert.deepEqual(r.push(frags[0] as TlsFragment), { kind: 'need-more', received: 100 });
  assert.deepEqual(r.push(frags[1] as TlsFragment), { kind: 'need-more', received: 200 });
  const last = r.push(frags[2] as TlsFragment);
  assert.equal(last.kind, 'complete');
  if (last.kind === 'complete') assert.ok(last.message.equals(msg));
  assert.equal(r.held, 0);
  assert.equal(r.inProgress, false);
});

test('reassembly: fragments are copied, so the caller may reuse its packet buffer', () => {
  const r = new Reassembler(100);
  const buf = Buffer.from('abcd');
  r.push(frag({ more: true, totalLength: 8, data: buf }));
  buf.fill(0);
  const done = r.push(frag({ data: Buffer.from('efgh') }));
  assert.equal(done.kind === 'complete' ? done.message.toString() : done.kind, 'abcdefgh');
});

test('reassembly limits and malformed series are typed errors, and the reassembler is empty after', () => {
  const cases: { name: string; limit: number; frags: TlsFragment[]; error: string }[] = [
    {
      name: 'declared above limit',
      limit: 100,
      frags: [frag({ more: true, totalLength: 101, data: Buffer.alloc(1) })],
      error: 'too-large',
    },
    {
      name: 'accumulated above limit without L',
      limit: 100,
      frags: [frag({ more: true, data: Buffer.alloc(60) }), frag({ more: true, data: Buffer.alloc(60) })],
      error: 'too-large',
    },
    {
      name: 'more than declared',
      limit: 100,
      frags: [frag({ more: true, totalLength: 10, data: Buffer.alloc(8) }), frag({ data: Buffer.alloc(8) })],
      error: 'length-mismatch',
    },
    {
      name: 'less than declared',
      limit: 100,
      frags: [frag({ more: true, totalLength: 20, data: Buffer.alloc(8) }), frag({ data: Buffer.alloc(8) })],
      error: 'length-mismatch',
    },
    {
      name: 'L changes',
      limit: 100,
      frags: [
        frag({ more: true, totalLength: 20, data: Buffer.alloc(8) }),
        frag({ more: true, totalLength: 30, data: Buffer.alloc(8) }),
      ],
      error: 'length-changed',
    },
    { name: 'M with no data', limit: 100, frags: [frag({ more: true })], error: 'empty-fragment' },
  ];
  for (const c of cases) {
    const r = new Reassembler(c.limit);
    let last = r.push(c.frags[0] as TlsFragment);
    for (const f of c.frags.slice(1)) last = r.push(f);
    assert.equal(last.kind, 'error', c.name);
    if (last.kind === 'error') assert.equal(last.error.kind, c.error, c.name);
    assert.equal(r.held, 0, c.name);
  }
});

test('sender hands out one fragment per ACK and then nothing', () => {
  const s = new FragmentSender(Buffer.alloc(25), 10);
  assert.equal(s.pending, 3);
  assert.deepEqual(
    [s.next()?.data.length, s.next()?.data.length, s.next()?.data.length, s.next()],
    [10, 10, 5, undefined],
  );
});
