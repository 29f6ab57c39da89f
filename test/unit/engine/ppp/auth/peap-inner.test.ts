// The PEAPv0 tunnel conversation from the client's side, against the strict peer's own MS-CHAPv2
// authenticator (test/peers/mschapv2-verifier.ts, independent of the client's exchange code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChap } from '../../../../../main/engine/ppp/auth/chap-packet.js';
import { encodePacket } from '../../../../../main/engine/ppp/auth/packet-header.js';
import { PeapInner, type InnerAction } from '../../../../../main/engine/ppp/auth/peap-inner.js';
import {
  decodeInner,
  decodeTlvs,
  encodeTlv,
  resultTlv,
  type InnerRequest,
} from '../../../../../main/engine/ppp/auth/peap-tlv.js';
import { MsChapV2Verifier } from '../../../../peers/mschapv2-verifier.js';

const CREDS = { username: 'testuser', password: 'testpass' };
const MS_ID = 0x42;

function req(type: number, data: Buffer, id = 7): InnerRequest {
  return { id, type, data, full: type === 33 };
}

function reply(a: InnerAction): Buffer {
  assert.equal(a.kind, 'reply', JSON.stringify(a));
  return a.kind === 'reply' ? a.message : Buffer.alloc(0);
}

function challenge(v: MsChapV2Verifier): Buffer {
  return encodePacket(1, MS_ID, Buffer.of(16), v.challenge, Buffer.from('radius'));
}

/** Identity and the MS-CHAPv2 Response, checked by the verifier; returns its verdict. */
function throughResponse(inner: PeapInner, v: MsChapV2Verifier): ReturnType<MsChapV2Verifier['verify']> {
  // Identity: header-less, Type 1 then the name.
  assert.deepEqual(
    reply(inner.handle(req(1, Buffer.alloc(0)))),
    Buffer.concat([Buffer.of(1), Buffer.from('testuser')]),
  );
  const r = reply(inner.handle(req(26, challenge(v))));
  assert.equal(r[0], 26, 'header-less Type 26');
  const chap = decodeChap(r.subarray(1), 'inner');
  assert.ok(chap.ok && chap.value.code === 'response');
  assert.equal(chap.value.id, MS_ID);
  return v.verify(chap.value.value, chap.value.name);
}

test('identity, MS-CHAPv2 with a proven server, Result TLV success: succeeded, answers an Extensions Response with its header', () => {
  const v = new MsChapV2Verifier({ testuser: 'testpass' }, false);
  const inner = new PeapInner(CREDS);
  const verdict = throughResponse(inner, v);
  assert.ok(verdict.ok);
  const ack = reply(inner.handle(req(26, encodePacket(3, MS_ID, Buffer.from(verdict.message)))));
  assert.deepEqual(ack, Buffer.of(26, 3));
  assert.equal(inner.succeeded, false, 'not before the Result TLV');
  const ext = reply(inner.handle(req(33, resultTlv(1), 9)));
  // Code 2 · Id 9 · Length 11 · Type 33 · Result TLV (M bit, type 3, length 2, status 1).
  assert.deepEqual(ext, Buffer.from('0209000b21800300020001', 'hex'));
  assert.equal(inner.succeeded, true);
});

test('Result success before the server proved the password is refused (server-auth-failed) with our Result failure', () => {
  const v = new MsChapV2Verifier({ testuser: 'testpass' }, false);
  const inner = new PeapInner(CREDS);
  assert.ok(throughResponse(inner, v).ok);
  const a = inner.handle(req(33, resultTlv(1)));
  assert.equal(a.kind, 'fail');
  if (a.kind !== 'fail') return;
  assert.equal(a.failure.code, 'server-auth-failed');
  assert.deepEqual(a.reply, Buffer.from('0207000b21800300020002', 'hex'));
  assert.equal(inner.succeeded, false);
});

test('a Success whose S= does not prove the password fails the method', () => {
  const v = new MsChapV2Verifier({ testuser: 'testpass' }, true);
  const inner = new PeapInner(CREDS);
  const verdict = throughResponse(inner, v);
  assert.ok(verdict.ok);
  const a = inner.handle(req(26, encodePacket(3, MS_ID, Buffer.from(verdict.message))));
  assert.equal(a.kind, 'fail');
  assert.equal(a.kind === 'fail' && a.failure.code, 'server-auth-failed');
});

test('an MS-CHAPv2 Failure E=691 is acknowledged and kept as the explanation', () => {
  const v = new MsChapV2Verifier({ testuser: 'other' }, false);
  const inner = new PeapInner(CREDS);
  const verdict = throughResponse(inner, v);
  assert.equal(verdict.ok, false);
  assert.deepEqual(
    reply(inner.handle(req(26, encodePacket(4, MS_ID, Buffer.from(verdict.message))))),
    Buffer.of(26, 4),
  );
  assert.equal(inner.rejected?.code, 'auth-failed');
  assert.match(inner.rejected?.message ?? '', /wrong user name or password/);
  assert.match(inner.rejected?.detail ?? '', /E=691/);
  assert.deepEqual(reply(inner.handle(req(33, resultTlv(2)))), Buffer.from('0207000b21800300020002', 'hex'));
  assert.equal(inner.succeeded, false);
});

test("early cryptobinding, unknown mandatory TLVs and broken TLVs are typed failures; other methods are Nak'ed to 26", () => {
  const inner = new PeapInner(CREDS);
  // Result success with a Crypto-Binding TLV before MS-CHAPv2 proved anything: refused outright.
  const cb = inner.handle(req(33, Buffer.concat([resultTlv(1), encodeTlv(12, false, Buffer.alloc(56))])));
  assert.equal(cb.kind === 'fail' && cb.failure.code, 'server-auth-failed');
  const unknown = inner.handle(req(33, encodeTlv(7, true, Buffer.alloc(2))));
  assert.equal(unknown.kind === 'fail' && unknown.failure.code, 'protocol-error');
  const broken = inner.handle(req(33, Buffer.from('800300', 'hex')));
  assert.equal(broken.kind === 'fail' && broken.failure.code, 'protocol-error');
  assert.deepEqual(reply(inner.handle(req(4, Buffer.alloc(17)))), Buffer.of(3, 26));
});

test('tunnel messages: header-less Type ‖ Data takes the outer Identifier, Extensions keeps its own header', () => {
  const plain = decodeInner(Buffer.from('01', 'hex'), 0x55);
  assert.deepEqual(plain.ok && plain.value, { id: 0x55, type: 1, data: Buffer.alloc(0), full: false });
  const ext = decodeInner(Buffer.from('0109000b21800300020001', 'hex'), 0x55);
  assert.ok(ext.ok);
  assert.equal(ext.value.id, 9);
  assert.equal(ext.value.full, true);
  const tlvs = decodeTlvs(ext.value.data);
  assert.deepEqual(tlvs.ok && tlvs.value, [{ type: 3, mandatory: true, value: Buffer.of(0, 1) }]);
  // A header-shaped message with another type is not Extensions: Type 1 with data.
  const identity = decodeInner(Buffer.from('0109000b1a', 'hex'), 3);
  assert.equal(identity.ok && identity.value.type, 1);
  assert.equal(decodeInner(Buffer.alloc(0), 1).ok, false);
});
