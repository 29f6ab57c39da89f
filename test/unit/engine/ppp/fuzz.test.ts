// Random and mutated bytes: decoders return errors, the trace formatter and the link never throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame } from '../../../../main/engine/ppp/frame.js';
import { decodeOptions, encodeOptions } from '../../../../main/engine/ppp/options.js';
import { decodeControl, decodeMessage, encodeControl, encodeMessage } from '../../../../main/engine/ppp/packet.js';
import { describePacket } from '../../../../main/engine/ppp/trace.js';
import { Harness, authMschapv2, authPap, controlFrame, hexOpt, ipOpt, magic, mru, opt } from './harness.js';

const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const PROTOCOLS = [0xc021, 0xc023, 0xc223, 0xc227, 0x8021, 0x8057, 0x80fd, 0x0021, 0x0057, 0x4021, 0x002b];

/** Valid frames a server might send, as seeds for mutation. */
const seeds: Buffer[] = [
  controlFrame(0xc021, 1, 1, [
    mru(4091),
    authMschapv2(),
    magic(0x11223344),
    opt(13, 6),
    opt(17, 6, 0x4e),
    opt(19, 1, 2),
  ]),
  controlFrame(0xc021, 1, 2, [authPap(), mru(1452), magic(5)]),
  controlFrame(0xc021, 2, 1, [mru(1500), magic(0x1a2b3c4d)]),
  controlFrame(0xc021, 3, 1, [mru(1452)]),
  controlFrame(0xc021, 4, 1, [magic(0x1a2b3c4d)]),
  controlFrame(0xc021, 5, 3, Buffer.from('bye')),
  controlFrame(0xc021, 6, 1, Buffer.alloc(0)),
  controlFrame(0xc021, 7, 4, Buffer.from([1, 1, 0, 4])),
  controlFrame(0xc021, 8, 5, Buffer.from([0x80, 0x57, 1, 1, 0, 4])),
  controlFrame(0xc021, 9, 6, Buffer.from([0, 0, 0, 0, 1, 2])),
  controlFrame(0xc021, 10, 6, Buffer.from([0, 0, 0, 0])),
  controlFrame(0x8021, 1, 1, [ipOpt(3, '10.0.0.1'), opt(2, 0, 0x2d, 15, 1)]),
  controlFrame(0x8021, 3, 1, [ipOpt(3, '10.0.0.7'), ipOpt(129, '10.0.0.53')]),
  controlFrame(0x8021, 4, 1, [ipOpt(131, '0.0.0.0')]),
  controlFrame(0x8057, 1, 1, [hexOpt(1, '0000000000000001')]),
  controlFrame(0x80fd, 1, 1, [opt(18, 1, 0, 0, 0x40)]),
  Buffer.from('ff03c22301090015100123456789abcdef0123456789abcdef', 'hex'),
  Buffer.from('ff0300214500001c00000000', 'hex'),
];

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat(),
    fc.boolean(),
  )
  .map(([seed, flips, cut, truncate]) => {
    const b = Buffer.from(seed);
    for (const [at, v] of flips) b[at % b.length] = v;
    return truncate ? b.subarray(0, cut % (b.length + 1)) : b;
  });

describe('decoders never throw', () => {
  it('frames, control packets, options, messages and trace lines on random bytes', () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom(...PROTOCOLS), (b, protocol) => {
        decodeFrame(b);
        decodeOptions(b, 'x');
        const p = decodeControl(b, 'x');
        if (p.ok) {
          for (const codes of ['lcp', 'ncp'] as const) {
            const m = decodeMessage(p.value, codes, 'x');
            // Whatever decodes re-encodes to the same bytes.
            if (m.ok) assert.deepEqual(encodeControl(encodeMessage(m.value)), encodeControl(p.value));
          }
        }
        describePacket(protocol, b);
      }),
      { numRuns: 3000 },
    );
  });

  it('option lists round-trip whenever they decode', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const d = decodeOptions(b, 'x');
        if (d.ok) assert.deepEqual(encodeOptions(d.value), b);
      }),
      { numRuns: 2000 },
    );
  });

  it('trace lines on mutated real packets', () => {
    fc.assert(
      fc.property(mutated, (b) => {
        const f = decodeFrame(b);
        if (f.ok) describePacket(f.value.protocol, f.value.info);
      }),
    );
  });
});

/** A link at a given point of its life, to throw bytes at. */
function linkAt(stage: number): Harness {
  const h = new Harness({ authMethods: ['mschapv2', 'pap'], ipv6: true, echoIntervalMs: 5000 });
  h.link.start();
  if (stage === 0) return h;
  const ours = h.take()[0];
  h.link.receive(controlFrame(0xc021, 1, 1, [authPap(), magic(7)]));
  if (ours) h.ackLast(ours);
  if (stage === 1) return h;
  h.link.receive(Buffer.from('ff03c0230201000500', 'hex')); // PAP Ack → network phase
  return h;
}

describe('PppLink.receive never throws', () => {
  for (const stage of [0, 1, 2]) {
    it(`on random frames (stage ${stage})`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              bytes,
              mutated,
              bytes.map((b) => Buffer.concat([Buffer.from([0xff, 0x03]), b])),
            ),
            { maxLength: 20 },
          ),
          (frames) => {
            const h = linkAt(stage);
            for (const f of frames) {
              h.link.receive(f);
              h.clock.advance(700);
            }
            // One-shot: at most one terminal event, and it is the last.
            const terminal = h.events.filter((e) => e.type === 'failed' || e.type === 'closed');
            assert.ok(terminal.length <= 1);
            if (terminal.length === 1) assert.equal(h.events.at(-1), terminal[0]);
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
