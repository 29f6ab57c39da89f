// A capture must not hand out what cracks the password offline. In a copy of the SSTP data packet,
// blank: the PAP password (RFC 1334 §2.2.1), a CHAP response value (RFC 1994 §4.1; for MS-CHAPv2,
// RFC 2759 §4, the NT-Response), and the MS-CHAPv2 authenticator response "S=<40 hex>" (RFC 2759
// §5), both in PPP CHAP and in EAP-MSCHAPv2. Lengths stay, so Wireshark still dissects every field.
// Everything else (user names, challenges, IPCP) is kept: that is what a capture is for.

import { PPP_ADDRESS, PPP_CONTROL } from '../ppp/frame.js';
import { PPP_CHAP as PROTO_CHAP, PPP_EAP as PROTO_EAP, PPP_PAP as PROTO_PAP } from '../ppp/protocols.js';

const EAP_TYPE_MSCHAPV2 = 26;
const MSCHAPV2_VALUE_SIZE = 49;
/** The NT-Response inside the 49-byte MS-CHAPv2 response value (after peer challenge and reserved). */
const NT_RESPONSE_OFFSET = 24;
const NT_RESPONSE_LENGTH = 24;

/**
 * For a data packet whose PPP frame is bytes[start, end) (the SSTP header is the 4 bytes before it):
 * a redacted copy of the whole packet, or undefined when the frame carries nothing to blank.
 */
export function redactPppFrame(bytes: Buffer, start: number, end: number): Buffer | undefined {
  let p = start;
  if (bytes[p] === PPP_ADDRESS && bytes[p + 1] === PPP_CONTROL) p += 2;
  if (end - p < 2 + 4) return undefined;
  const proto = ((bytes[p] ?? 0) << 8) | (bytes[p + 1] ?? 0);
  if (proto !== PROTO_PAP && proto !== PROTO_CHAP && proto !== PROTO_EAP) return undefined;
  const copy = Buffer.from(bytes.subarray(start - 4, end));
  const base = p + 2 - (start - 4); // the auth packet's code byte, in `copy`
  const changed =
    proto === PROTO_PAP ? blankPap(copy, base) : proto === PROTO_CHAP ? blankChap(copy, base) : blankEap(copy, base);
  return changed ? copy : undefined;
}

function blankPap(b: Buffer, at: number): boolean {
  if (b[at] !== 1) return false; // Authenticate-Request
  const peerIdLength = b[at + 4];
  if (peerIdLength === undefined) return false;
  const pwLengthAt = at + 5 + peerIdLength;
  const pwLength = b[pwLengthAt];
  if (pwLength === undefined) return false;
  return fill(b, pwLengthAt + 1, pwLength, 0x2a); // '*'
}

function blankChap(b: Buffer, at: number): boolean {
  const code = b[at];
  if (code === 2) return blankChallengeResponse(b, at + 4);
  if (code === 3) return blankAuthenticatorResponse(b, at + 4);
  return false;
}

/** Value-Size, Value at `at` (CHAP Response body, or EAP-MSCHAPv2 Response after its own header). */
function blankChallengeResponse(b: Buffer, at: number): boolean {
  const size = b[at];
  if (size === undefined) return false;
  if (size === MSCHAPV2_VALUE_SIZE) return fill(b, at + 1 + NT_RESPONSE_OFFSET, NT_RESPONSE_LENGTH, 0);
  return fill(b, at + 1, size, 0);
}

/** "S=<40 hex digits>" anywhere in a success message from `at` on: the digits become zeros. */
function blankAuthenticatorResponse(b: Buffer, at: number): boolean {
  const i = b.indexOf('S=', at, 'latin1');
  if (i < 0 || i + 2 + 40 > b.length) return false;
  return fill(b, i + 2, 40, 0x30); // '0'
}

function blankEap(b: Buffer, at: number): boolean {
  // EAP: Code(1) Identifier(1) Length(2) Type(1) Type-Data; MS-CHAPv2 Type-Data starts with OpCode(1)
  // MS-CHAPv2-ID(1) MS-Length(2) (draft-kamath-pppext-eap-mschapv2 §2).
  const code = b[at];
  if ((code !== 1 && code !== 2) || b[at + 4] !== EAP_TYPE_MSCHAPV2) return false;
  const opcode = b[at + 5];
  if (code === 2 && opcode === 2) return blankChallengeResponse(b, at + 9);
  if (code === 1 && opcode === 3) return blankAuthenticatorResponse(b, at + 9);
  return false;
}

function fill(b: Buffer, from: number, length: number, value: number): boolean {
  if (length <= 0 || from + length > b.length) return false;
  b.fill(value, from, from + length);
  return true;
}
