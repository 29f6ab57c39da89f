import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChap, encodeChapResponse } from '../../../../../main/engine/ppp/auth/chap-packet.js';
import { decodeEap, encodeEapResponse } from '../../../../../main/engine/ppp/auth/eap-packet.js';
import { parseFailureMessage, successMessageText } from '../../../../../main/engine/ppp/auth/mschapv2-messages.js';
import { decodePap, encodePapRequest } from '../../../../../main/engine/ppp/auth/pap-packet.js';
import { decodeHeader } from '../../../../../main/engine/ppp/auth/packet-header.js';
import { printableText } from '../../../../../main/engine/ppp/auth/trace.js';

test('header: short packets and bad lengths name the field; padding past Length is ignored', () => {
  const short = decodeHeader(Buffer.of(1, 2, 0), 'X');
  assert.ok(!short.ok && short.error.field === 'header');
  const tiny = decodeHeader(Buffer.of(1, 2, 0, 3), 'X');
  assert.ok(!tiny.ok && tiny.error.field === 'length');
  const long = decodeHeader(Buffer.of(1, 2, 0, 9, 0), 'X');
  assert.ok(!long.ok && long.error.field === 'length');
  const padded = decodeHeader(Buffer.of(1, 2, 0, 5, 0xaa, 0xff, 0xff), 'X');
  assert.ok(padded.ok);
  assert.deepEqual(padded.value.body, Buffer.of(0xaa));
});

test('PAP: request round trip; Ack without Msg-Length; Msg-Length overrun names Message', () => {
  const req = decodePap(encodePapRequest(4, Buffer.from('u'), Buffer.from('pw')));
  assert.ok(req.ok && req.value.code === 'request');
  assert.deepEqual(req.value.peerId, Buffer.from('u'));
  const bare = decodePap(Buffer.of(2, 1, 0, 4));
  assert.ok(bare.ok && bare.value.code === 'ack' && bare.value.message.length === 0);
  const over = decodePap(Buffer.of(3, 1, 0, 6, 5, 0x41));
  assert.ok(!over.ok && over.error.field === 'Message');
  const unknown = decodePap(Buffer.of(9, 1, 0, 4));
  assert.ok(!unknown.ok && unknown.error.field === 'code');
});

test('CHAP: response round trip; zero or overrunning Value-Size rejected', () => {
  const r = decodeChap(encodeChapResponse(9, Buffer.alloc(49, 1), Buffer.from('name')));
  assert.ok(r.ok && r.value.code === 'response');
  assert.equal(r.value.id, 9);
  assert.equal(r.value.value.length, 49);
  assert.deepEqual(r.value.name, Buffer.from('name'));
  const zero = decodeChap(Buffer.of(1, 1, 0, 5, 0));
  assert.ok(!zero.ok && zero.error.field === 'Value-Size');
  const over = decodeChap(Buffer.of(1, 1, 0, 6, 16, 0));
  assert.ok(!over.ok && over.error.field === 'Value');
});

test('EAP: response round trip; request without Type rejected; Success has no type', () => {
  const r = decodeEap(encodeEapResponse(3, 26, Buffer.of(3)));
  assert.ok(r.ok && r.value.code === 'response');
  assert.equal(r.value.type, 26);
  assert.deepEqual(r.value.data, Buffer.of(3));
  const noType = decodeEap(Buffer.of(1, 1, 0, 4));
  assert.ok(!noType.ok && noType.error.field === 'Type');
  const s = decodeEap(Buffer.of(3, 7, 0, 4));
  assert.ok(s.ok && s.value.code === 'success' && s.value.id === 7);
});

test('MS-CHAPv2 Failure message: all fields, M with spaces, missing optional fields', () => {
  const full = parseFailureMessage('E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=Authentication failure here');
  assert.ok(full.ok);
  assert.deepEqual(full.value, { error: 691, retry: true, version: 3, message: 'Authentication failure here' });
  const minimal = parseFailureMessage('E=649');
  assert.ok(minimal.ok);
  assert.deepEqual(minimal.value, { error: 649, retry: false });
  const noE = parseFailureMessage('R=0 V=3');
  assert.ok(!noE.ok && noE.error.field === 'E');
  const badE = parseFailureMessage('E=abc');
  assert.ok(!badE.ok && badE.error.field === 'E');
});

test('MS-CHAPv2 Success message text', () => {
  assert.equal(successMessageText('S=AB M=Hello there'), 'Hello there');
  assert.equal(successMessageText('S=AB'), undefined);
});

test('printableText refuses control characters and invalid UTF-8, truncates long text', () => {
  assert.equal(printableText(Buffer.from('  Hi there\0\0')), 'Hi there');
  assert.equal(printableText(Buffer.from('a\x1bb')), undefined);
  assert.equal(printableText(Buffer.of(0xff, 0xfe)), undefined);
  assert.equal(printableText(Buffer.from('Grüße')), 'Grüße');
  assert.equal(printableText(Buffer.from('y'.repeat(150)))?.length, 101);
});
