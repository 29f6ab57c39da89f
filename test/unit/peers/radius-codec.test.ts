// The strict peer's RADIUS codec (RFC 2865, 3579, 2548), checked against computations written out
// here from the RFC text; the real proof is FreeRADIUS accepting it (test/integration/engine/radius-*).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { decryptMppeKey, encryptMppeKey, mppeKeys, VENDOR_MICROSOFT } from '../../peers/radius-mppe.js';
import {
  ATTR,
  RADIUS,
  decodeRadius,
  eapMessage,
  eapMessageAttributes,
  encodeRadius,
  signedAccessRequest,
  verifyReply,
  type RadiusAttribute,
} from '../../peers/radius-packet.js';

const SECRET = 'xyzzy5461';
const REQ_AUTH = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');

/** A reply as a RADIUS server builds it: Message-Authenticator first (over the request authenticator), then the Response Authenticator. */
function serverReply(code: number, id: number, attributes: readonly RadiusAttribute[], withMa = true): Buffer {
  const attrs = withMa ? [...attributes, { type: ATTR.MESSAGE_AUTHENTICATOR, value: Buffer.alloc(16) }] : attributes;
  const p = encodeRadius({ code, id, authenticator: REQ_AUTH, attributes: attrs });
  if (withMa)
    createHmac('md5', SECRET)
      .update(p)
      .digest()
      .copy(p, p.length - 16);
  const resp = createHash('md5').update(p).update(SECRET).digest();
  resp.copy(p, 4);
  return p;
}

test('an EAP packet is split into 253-byte EAP-Message attributes and joined back', () => {
  const eap = Buffer.alloc(600, 7);
  const attrs = eapMessageAttributes(eap);
  assert.deepEqual(
    attrs.map((a) => a.value.length),
    [253, 253, 94],
  );
  const d = decodeRadius(
    encodeRadius({ code: RADIUS.ACCESS_REQUEST, id: 9, authenticator: REQ_AUTH, attributes: attrs }),
  );
  assert.ok(d.ok);
  assert.deepEqual(eapMessage(d.packet), eap);
});

test('Access-Request Message-Authenticator is HMAC-MD5(secret, packet with the attribute zeroed)', () => {
  const eap = Buffer.from('0201000d017465737475736572', 'hex');
  const p = signedAccessRequest(
    3,
    REQ_AUTH,
    [{ type: ATTR.USER_NAME, value: Buffer.from('testuser') }, ...eapMessageAttributes(eap)],
    SECRET,
  );
  assert.equal(p.readUInt16BE(2), p.length);
  const got = p.subarray(p.length - 16);
  assert.deepEqual(p.subarray(p.length - 18, p.length - 16), Buffer.of(80, 18));
  const zeroed = Buffer.from(p);
  zeroed.fill(0, p.length - 16);
  assert.deepEqual(got, createHmac('md5', SECRET).update(zeroed).digest());
});

test('a reply verifies only with the right secret, request authenticator and untouched bytes', () => {
  const eap = eapMessageAttributes(Buffer.from('010200060d20', 'hex'));
  const good = serverReply(RADIUS.ACCESS_CHALLENGE, 3, eap);
  assert.deepEqual(verifyReply(good, REQ_AUTH, SECRET), { ok: true });
  const wrongSecret = verifyReply(good, REQ_AUTH, 'not-the-secret');
  assert.equal(wrongSecret.ok, false);
  const otherRequest = verifyReply(good, Buffer.alloc(16), SECRET);
  assert.equal(otherRequest.ok, false);
  const flipped = Buffer.from(good);
  flipped[22] = (flipped[22] ?? 0) ^ 1;
  assert.equal(verifyReply(flipped, REQ_AUTH, SECRET).ok, false);
});

test('EAP-Message without Message-Authenticator is refused; a bare reject without EAP is not', () => {
  const noMa = serverReply(RADIUS.ACCESS_CHALLENGE, 3, eapMessageAttributes(Buffer.from('010200060d20', 'hex')), false);
  const v = verifyReply(noMa, REQ_AUTH, SECRET);
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : v.why, /Message-Authenticator/);
  assert.deepEqual(verifyReply(serverReply(RADIUS.ACCESS_REJECT, 3, [], false), REQ_AUTH, SECRET), { ok: true });
});

test('truncated and overrunning packets are typed errors', () => {
  assert.equal(decodeRadius(Buffer.alloc(10)).ok, false);
  const p = encodeRadius({
    code: 2,
    id: 1,
    authenticator: REQ_AUTH,
    attributes: [{ type: 1, value: Buffer.from('ab') }],
  });
  p[21] = 40; // attribute length past the end
  assert.equal(decodeRadius(p).ok, false);
  assert.throws(
    () =>
      encodeRadius({ code: 1, id: 1, authenticator: REQ_AUTH, attributes: [{ type: 79, value: Buffer.alloc(254) }] }),
    RangeError,
  );
});

test('MS-MPPE keys: RFC 2548 §2.4.2 salt encryption, written out independently, round-trips', () => {
  const key = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
  const salt = Buffer.of(0x81, 0x23);
  const value = encryptMppeKey(key, REQ_AUTH, SECRET, salt);
  assert.equal(value.length, 2 + 48); // 1 + 32 rounds up to 48
  // c(1) = p(1) xor MD5(S ‖ R ‖ A)
  const b1 = createHash('md5').update(SECRET).update(REQ_AUTH).update(salt).digest();
  const p1 = Buffer.concat([Buffer.of(32), key.subarray(0, 15)]);
  assert.deepEqual(value.subarray(2, 18), Buffer.from(p1.map((x, i) => x ^ (b1[i] ?? 0))));
  assert.deepEqual(decryptMppeKey(value, REQ_AUTH, SECRET), { ok: true, key });
  const noHighBit = Buffer.from(value);
  noHighBit[0] = 0x01;
  assert.equal(decryptMppeKey(noHighBit, REQ_AUTH, SECRET).ok, false);
  assert.equal(decryptMppeKey(value.subarray(0, 10), REQ_AUTH, SECRET).ok, false);
});

test('both MPPE keys are found inside Microsoft Vendor-Specific attributes', () => {
  const send = Buffer.alloc(32, 0x53);
  const recv = Buffer.alloc(32, 0x52);
  const vsa = (type: number, k: Buffer): RadiusAttribute => {
    const v = encryptMppeKey(k, REQ_AUTH, SECRET);
    const head = Buffer.alloc(6);
    head.writeUInt32BE(VENDOR_MICROSOFT);
    head[4] = type;
    head[5] = v.length + 2;
    return { type: ATTR.VENDOR_SPECIFIC, value: Buffer.concat([head, v]) };
  };
  const d = decodeRadius(serverReply(RADIUS.ACCESS_ACCEPT, 1, [vsa(16, send), vsa(17, recv)]));
  assert.ok(d.ok);
  assert.deepEqual(mppeKeys(d.packet, REQ_AUTH, SECRET), { ok: true, send, recv });
  const none = decodeRadius(serverReply(RADIUS.ACCESS_ACCEPT, 1, []));
  assert.ok(none.ok);
  assert.equal(mppeKeys(none.packet, REQ_AUTH, SECRET).ok, false);
});
