import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { internetChecksum } from '../../../../main/engine/packet/checksum.js';
import { answerEcho } from '../../../peers/icmp-responder.js';
import { buildEchoRequest, parseEchoReply, parseIpv4 } from '../../../../main/engine/packet/icmp.js';

/** What the host 10.0.0.1 answers (the strict peer's responder, an independent implementation). */
function answer(request: Buffer): Buffer {
  const v = answerEcho(request, '10.0.0.1');
  assert.equal(v.kind, 'reply');
  return v.kind === 'reply' ? v.packet : Buffer.alloc(0);
}

describe('ICMP echo', () => {
  it('the RFC 1071 checksum of a packet with its checksum in place is zero', () => {
    const p = buildEchoRequest(
      parseIpv4('192.168.30.10')!,
      parseIpv4('192.168.30.1')!,
      0x1234,
      1,
      Buffer.from('hello'),
    );
    assert.equal(internetChecksum(p, 0, 20), 0);
    assert.equal(internetChecksum(p, 20, p.length), 0);
    assert.equal(p.length, 33);
    assert.equal(p[9], 1);
  });

  it('parses the answer to its own request', () => {
    const req = buildEchoRequest(parseIpv4('10.0.0.2')!, parseIpv4('10.0.0.1')!, 7, 1, Buffer.from('abc'));
    const r = parseEchoReply(answer(req));
    assert.ok(r.ok);
    assert.deepEqual(
      { ...r.value, payload: r.value.payload.toString() },
      { source: '10.0.0.1', destination: '10.0.0.2', identifier: 7, sequence: 1, payload: 'abc' },
    );
  });

  it('refuses requests, corrupt checksums and other protocols with a named field', () => {
    const req = buildEchoRequest(parseIpv4('10.0.0.2')!, parseIpv4('10.0.0.1')!, 7, 1, Buffer.from('abc'));
    const notReply = parseEchoReply(req);
    assert.ok(!notReply.ok && notReply.error.field === 'type');
    const corrupt = answer(req);
    corrupt[30] = (corrupt[30] ?? 0) ^ 1;
    const c = parseEchoReply(corrupt);
    assert.ok(!c.ok && c.error.field === 'icmp checksum');
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        parseEchoReply(Buffer.from(bytes));
      }),
    );
  });

  it('reads dotted quads strictly', () => {
    assert.deepEqual([...parseIpv4('1.2.3.4')!], [1, 2, 3, 4]);
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4.5', ' 1.2.3.4'])
      assert.equal(parseIpv4(bad), undefined, bad);
  });
});
