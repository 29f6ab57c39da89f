import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bareMessage,
  callAbort,
  callConnectAck,
  callConnectNak,
  callConnected,
  callConnectRequest,
  callDisconnect,
  decodeControlPacket,
  decodeHeader,
  decodePacket,
  encodeControlPacket,
  encodeDataPacket,
  findAttribute,
  statusInfo,
  writeDataHeader,
  MESSAGE_TYPES,
  type ControlMessage,
  type MessageType,
  type SstpAttribute,
} from '../../../../main/engine/sstp/codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const nonce = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));

function decodeOk(bytes: Buffer): ControlMessage {
  const r = decodeControlPacket(bytes);
  if (!r.ok) assert.fail(`decode failed: ${r.error.field}: ${r.error.reason}`);
  return r.value;
}

function decodeErr(bytes: Buffer): { field: string; reason: string } {
  const r = decodeControlPacket(bytes);
  if (r.ok) assert.fail('expected a decode error');
  return r.error;
}

describe('SSTP header and data packets', () => {
  it('encodes a data packet as 10 00 len FF 03 proto info', () => {
    const frame = hex('ff03c021 01010004');
    assert.deepEqual(encodeDataPacket(frame), hex('1000000c ff03c021 01010004'));
  });

  it('writes the header in front of a frame already in a buffer, for coalesced writes', () => {
    const buf = Buffer.alloc(4 + 6 + 4 + 4);
    hex('ff030021aabb').copy(buf, 4);
    hex('ff03').copy(buf, 14);
    assert.equal(writeDataHeader(buf, 0, 6), 10);
    assert.equal(writeDataHeader(buf, 10, 2), 6);
    assert.deepEqual(buf.subarray(0, 16), hex('1000000a ff030021aabb 10000006 ff03'));
  });

  it('refuses frames SSTP cannot carry or that overrun the buffer', () => {
    assert.throws(() => encodeDataPacket(Buffer.alloc(4092)), RangeError);
    assert.equal(encodeDataPacket(Buffer.alloc(4091)).readUInt16BE(2), 4095);
    assert.throws(() => writeDataHeader(Buffer.alloc(8), 0, 5), RangeError);
  });

  it('masks the reserved length bits and ignores reserved flag bits', () => {
    const r = decodeHeader(hex('10 fe f0 08'));
    assert.ok(r.ok);
    assert.deepEqual(r.value, { control: false, length: 8 });
    const c = decodeHeader(hex('10 ff 00 08'));
    assert.ok(c.ok && c.value.control);
  });

  it('names the field of a bad header', () => {
    const v = decodeHeader(hex('20 00 00 08'));
    assert.ok(!v.ok && v.error.field === 'version');
    const l = decodeHeader(hex('10 00 00 03'));
    assert.ok(!l.ok && l.error.field === 'length');
    const s = decodeHeader(hex('10 00'));
    assert.ok(!s.ok && s.error.field === 'header');
  });

  it('decodePacket tells data from control and checks the length against the buffer', () => {
    const d = decodePacket(hex('10000008 ff030021'));
    assert.ok(d.ok && d.value.kind === 'data');
    assert.deepEqual(d.value.frame, hex('ff030021'));
    const c = decodePacket(hex('10010008 00080000'));
    assert.ok(c.ok && c.value.kind === 'control' && c.value.message.type === 'ECHO_REQUEST');
    const short = decodePacket(hex('10000009 ff030021'));
    assert.ok(!short.ok && short.error.field === 'length');
  });
});

describe('SSTP control packets: spec example bytes (docs/protocol.md §2)', () => {
  it('CALL_CONNECT_REQUEST encodes to 10 01 00 0E 00 01 00 01 00 01 00 06 00 01', () => {
    const bytes = hex('10 01 00 0E 00 01 00 01 00 01 00 06 00 01');
    assert.deepEqual(encodeControlPacket(callConnectRequest()), bytes);
    assert.deepEqual(decodeOk(bytes), {
      type: 'CALL_CONNECT_REQUEST',
      attributes: [{ kind: 'ENCAPSULATED_PROTOCOL_ID', protocolId: 1 }],
    });
  });

  it('CALL_CONNECT_ACK with CRYPTO_BINDING_REQ (SHA-256) decodes and re-encodes', () => {
    const bytes = Buffer.concat([hex('10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 02'), nonce]);
    const msg = decodeOk(bytes);
    assert.equal(msg.type, 'CALL_CONNECT_ACK');
    const req = findAttribute(msg, 'CRYPTO_BINDING_REQ');
    assert.ok(req);
    assert.equal(req.hashBitmask, 2);
    assert.deepEqual(req.nonce, nonce);
    assert.deepEqual(encodeControlPacket(callConnectAck(2, nonce)), bytes);
  });

  it('CALL_CONNECTED is 112 bytes starting 10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 02', () => {
    const bytes = encodeControlPacket(
      callConnected({
        kind: 'CRYPTO_BINDING',
        hashProtocol: 2,
        nonce,
        certHash: Buffer.alloc(32, 0xaa),
        compoundMac: Buffer.alloc(32, 0xbb),
      }),
    );
    assert.equal(bytes.length, 112);
    assert.deepEqual(bytes.subarray(0, 16), hex('10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 02'));
    assert.deepEqual(bytes.subarray(16, 48), nonce);
    assert.deepEqual(bytes.subarray(48, 80), Buffer.alloc(32, 0xaa));
    assert.deepEqual(bytes.subarray(80), Buffer.alloc(32, 0xbb));
  });
});

describe('SSTP control packets: byte-exact round trips', () => {
  const cases: [string, ControlMessage, string][] = [
    ['CALL_CONNECT_REQUEST', callConnectRequest(), '1001000e 00010001 00010006 0001'],
    [
      'CALL_CONNECT_NAK with two statuses',
      callConnectNak([statusInfo('VALUE_NOT_SUPPORTED', 1, hex('00010006 0002')), statusInfo('NO_ERROR')]),
      '10010026 00030002 00020012 00000001 00000004 00010006 0002 0002000c 00000000 00000000',
    ],
    ['CALL_ABORT', callAbort(statusInfo('INVALID_FRAME_RECEIVED')), '10010014 00050001 0002000c 00000000 00000007'],
    ['CALL_DISCONNECT', callDisconnect(), '10010014 00060001 0002000c 00000000 00000000'],
    ['CALL_DISCONNECT_ACK', bareMessage('CALL_DISCONNECT_ACK'), '10010008 00070000'],
    ['ECHO_REQUEST', bareMessage('ECHO_REQUEST'), '10010008 00080000'],
    ['ECHO_RESPONSE', bareMessage('ECHO_RESPONSE'), '10010008 00090000'],
    [
      'an unknown attribute kept raw',
      {
        type: 'CALL_CONNECT_REQUEST',
        attributes: [
          { kind: 'ENCAPSULATED_PROTOCOL_ID', protocolId: 1 },
          { kind: 'UNKNOWN', attributeId: 0x33, value: hex('cafe') },
        ],
      },
      '10010014 00010002 00010006 0001 00330006 cafe',
    ],
    [
      'an empty unknown attribute',
      { type: 'ECHO_REQUEST', attributes: [{ kind: 'UNKNOWN', attributeId: 9, value: Buffer.alloc(0) }] },
      '1001000c 00080001 00090004',
    ],
  ];
  for (const [name, msg, wire] of cases) {
    it(name, () => {
      const bytes = encodeControlPacket(msg);
      assert.deepEqual(bytes, hex(wire));
      const back = decodeOk(bytes);
      assert.deepEqual(back, msg);
      assert.deepEqual(encodeControlPacket(back), bytes);
    });
  }

  it('every message type 1..9 round-trips', () => {
    for (const type of Object.keys(MESSAGE_TYPES) as MessageType[]) {
      const msg: ControlMessage = { type, attributes: [statusInfo('NO_ERROR')] };
      const bytes = encodeControlPacket(msg);
      assert.equal(bytes.readUInt16BE(4), MESSAGE_TYPES[type]);
      assert.deepEqual(decodeOk(bytes), msg);
    }
  });

  it('STATUS_INFO carries up to 64 bytes of value (76-byte attribute) and statusInfo() truncates', () => {
    const msg = callAbort(statusInfo('UNRECOGNIZED_ATTRIBUTE', 7, Buffer.alloc(100, 1)));
    const bytes = encodeControlPacket(msg);
    assert.equal(bytes.readUInt16BE(10), 76);
    assert.deepEqual(decodeOk(bytes), msg);
    assert.throws(
      () => encodeControlPacket(callAbort({ kind: 'STATUS_INFO', attribId: 0, status: 0, value: Buffer.alloc(65) })),
      RangeError,
    );
  });

  it('refuses to encode wrong-sized binding fields', () => {
    assert.throws(() => encodeControlPacket(callConnectAck(2, Buffer.alloc(31))), RangeError);
    assert.throws(
      () =>
        encodeControlPacket(
          callConnected({
            kind: 'CRYPTO_BINDING',
            hashProtocol: 1,
            nonce,
            certHash: Buffer.alloc(20),
            compoundMac: Buffer.alloc(32),
          }),
        ),
      RangeError,
    );
  });

  it('ignores reserved bits of the header and attributes on receipt', () => {
    const bytes = hex('10 ff f0 0e 00 01 00 01 ff 01 f0 06 00 01');
    assert.deepEqual(decodeOk(bytes), callConnectRequest());
  });
});

describe('SSTP control packets: typed errors naming the field', () => {
  const cases: [string, string, string][] = [
    ['data packet given to the control decoder', '10000008 00080000', 'C'],
    ['packet shorter than the control header', '10010006 0008', 'length'],
    ['header length longer than the buffer', '1001000c 00080000', 'length'],
    ['header length shorter than the buffer', '10010008 00080000 00', 'length'],
    ['unknown message type', '10010008 000a0000', 'messageType'],
    ['message type 0', '10010008 00000000', 'messageType'],
    ['count says one attribute, none present', '10010008 00080001', 'attributeCount'],
    ['attribute header cut short', '1001000a 00080001 0001', 'attributeCount'],
    ['attribute length below 4', '1001000c 00080001 00990003', 'attribute[0].length'],
    ['attribute runs past the packet', '1001000c 00080001 00990008', 'attribute[0].length'],
    ['bytes left after the counted attributes', '1001000e 00010000 00010006 0001', 'attributeCount'],
    ['ENCAPSULATED_PROTOCOL_ID of length 8', '10010010 00010001 00010008 00010000', 'attribute[0].length'],
    ['STATUS_INFO of length 8', '10010010 00050001 00020008 00000000', 'attribute[0].length'],
    [
      'CRYPTO_BINDING_REQ of length 39',
      `1001002f 00020001 00040027 00000002 ${'00'.repeat(31)}`,
      'attribute[0].length',
    ],
    ['CRYPTO_BINDING of length 72', `10010050 00040001 00030048 00000002 ${'00'.repeat(64)}`, 'attribute[0].length'],
    ['second attribute bad', '10010016 00010002 00010006 0001 00010008 00010000', 'attribute[1].length'],
  ];
  for (const [name, wire, field] of cases) {
    it(name, () => {
      const e = decodeErr(hex(wire));
      assert.equal(e.field, field, e.reason);
      assert.ok(e.reason.length > 0);
    });
  }

  it('STATUS_INFO of 77 bytes is refused', () => {
    const bytes = Buffer.alloc(8 + 77);
    hex('10010055 00050001 0002004d').copy(bytes);
    assert.equal(decodeErr(bytes).field, 'attribute[0].length');
  });
});

describe('SSTP codec properties', () => {
  // Plain prototypes, so deepEqual against decoded values compares fields only.
  function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
    return fc.record(model, { noNullPrototype: true });
  }
  const attributeArb: fc.Arbitrary<SstpAttribute> = fc.oneof(
    rec({ kind: fc.constant('ENCAPSULATED_PROTOCOL_ID' as const), protocolId: fc.integer({ min: 0, max: 0xffff }) }),
    rec({
      kind: fc.constant('STATUS_INFO' as const),
      attribId: fc.integer({ min: 0, max: 255 }),
      status: fc.integer({ min: 0, max: 0xffffffff }),
      value: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    }),
    rec({
      kind: fc.constant('CRYPTO_BINDING' as const),
      hashProtocol: fc.integer({ min: 0, max: 255 }),
      nonce: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
      certHash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
      compoundMac: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
    }),
    rec({
      kind: fc.constant('CRYPTO_BINDING_REQ' as const),
      hashBitmask: fc.integer({ min: 0, max: 255 }),
      nonce: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
    }),
    rec({
      kind: fc.constant('UNKNOWN' as const),
      attributeId: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 255 })),
      value: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    }),
  );
  const messageArb: fc.Arbitrary<ControlMessage> = rec({
    type: fc.constantFrom(...(Object.keys(MESSAGE_TYPES) as MessageType[])),
    attributes: fc.array(attributeArb, { maxLength: 6 }),
  });

  it('decode(encode(m)) = m and encode is byte-exact', () => {
    fc.assert(
      fc.property(messageArb, (msg) => {
        const bytes = encodeControlPacket(msg);
        const back = decodeControlPacket(bytes);
        assert.ok(back.ok);
        assert.deepEqual(back.value, msg);
        assert.deepEqual(encodeControlPacket(back.value), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('decoders never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (a) => {
        const b = Buffer.from(a);
        const r1 = decodeControlPacket(b);
        const r2 = decodePacket(b);
        const r3 = decodeHeader(b);
        for (const r of [r1, r2, r3]) if (!r.ok) assert.ok(r.error.field.length > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('decoders never throw on mutated valid packets, and any success re-encodes to a valid packet', () => {
    const mutation = fc.record({
      index: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(messageArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (msg, mutations) => {
        let bytes = Buffer.from(encodeControlPacket(msg));
        for (const m of mutations) {
          if (bytes.length > 0) bytes[m.index % bytes.length] = m.value;
          if (m.cut !== undefined) bytes = bytes.subarray(0, m.cut % (bytes.length + 1));
        }
        const r = decodeControlPacket(bytes);
        if (r.ok) assert.ok(decodeControlPacket(encodeControlPacket(r.value)).ok);
        else assert.ok(r.error.field.length > 0 && r.error.reason.length > 0);
        decodePacket(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
