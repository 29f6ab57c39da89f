// What a fuzzing server sends: legal server frames of every layer (SSTP control, LCP, MS-CHAPv2,
// IPCP, IPv6CP, CCP, IPv4) as a corpus, and fast-check arbitraries that mutate them the way broken
// servers and middleboxes do — bit flips, truncation, random tails, lying length fields — plus plain
// random bytes, inside a valid SSTP header (so they reach PPP) or raw (so they hit the framing).
// The peer's 'fuzz' fault writes what these make, then an SSTP ECHO_REQUEST as a barrier.
import fc from 'fast-check';
import { encodeFrame } from '../../main/engine/ppp/frame.js';
import {
  PPP_CCP,
  PPP_CHAP,
  PPP_IPCP,
  PPP_IPV4,
  PPP_IPV6CP,
  PPP_LCP,
  PPP_PAP,
} from '../../main/engine/ppp/protocols.js';
import {
  bareMessage,
  callAbort,
  callConnectAck,
  callConnectNak,
  callDisconnect,
  encodeControlPacket,
  statusInfo,
} from '../../main/engine/sstp/control-packet.js';
import { encodeDataPacket } from '../../main/engine/sstp/header.js';

const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const ppp = (protocol: number, info: Buffer) => encodeDataPacket(encodeFrame(protocol, info));
/** A PPP control packet (RFC 1661 §5): code, id, length computed, data. */
const ctl = (protocol: number, code: number, id: number, data: Buffer | string) => {
  const body = typeof data === 'string' ? hex(data) : data;
  const head = Buffer.from([code, id, 0, 0]);
  head.writeUInt16BE(4 + body.length, 2);
  return ppp(protocol, Buffer.concat([head, body]));
};
const text = (s: string) => Buffer.from(s, 'latin1');

/** One legal frame of each kind a server sends, as bytes on the wire inside TLS. */
export const LEGAL_SERVER_FRAMES: readonly Buffer[] = [
  // SSTP control (MS-SSTP §2.2.9-2.2.15).
  encodeControlPacket(callConnectAck(0x03, Buffer.alloc(32, 0x5a))),
  encodeControlPacket(callConnectNak([statusInfo('VALUE_NOT_SUPPORTED', 1, Buffer.from([0, 1]))])),
  encodeControlPacket(bareMessage('ECHO_REQUEST')),
  encodeControlPacket(bareMessage('ECHO_RESPONSE')),
  encodeControlPacket(callDisconnect()),
  encodeControlPacket(bareMessage('CALL_DISCONNECT_ACK')),
  encodeControlPacket(callAbort(statusInfo('INVALID_FRAME_RECEIVED'))),
  // LCP (RFC 1661): ConfReq <mru 1500> <auth MS-CHAPv2> <magic>, ConfAck/Nak/Rej, Term, Echo, Code/ProtRej.
  ctl(PPP_LCP, 0x01, 0x07, '0104 05dc 0305 c22381 0506 1a2b3c4d'),
  ctl(PPP_LCP, 0x02, 0x01, '0104 05dc 0506 11223344'),
  ctl(PPP_LCP, 0x03, 0x01, '0104 0578'),
  ctl(PPP_LCP, 0x04, 0x01, '0d03 06'),
  ctl(PPP_LCP, 0x05, 0x02, text('admin reset')),
  ctl(PPP_LCP, 0x06, 0x02, ''),
  ctl(PPP_LCP, 0x07, 0x03, '0c01 0004'),
  ctl(PPP_LCP, 0x08, 0x04, '80fd 0101 0004'),
  ctl(PPP_LCP, 0x09, 0x05, '1a2b3c4d'),
  ctl(PPP_LCP, 0x0a, 0x05, '1a2b3c4d 68656c6c'),
  ctl(PPP_LCP, 0x0b, 0x06, '1a2b3c4d'),
  // MS-CHAPv2 (RFC 2759): Challenge (16 bytes + name), Success "S=…", Failure "E=691 R=0 …".
  ctl(PPP_CHAP, 0x01, 0x01, Buffer.concat([Buffer.from([16]), Buffer.alloc(16, 0x11), text('srv')])),
  ctl(PPP_CHAP, 0x03, 0x01, text(`S=${'A'.repeat(40)} M=ok`)),
  ctl(PPP_CHAP, 0x04, 0x01, text(`E=691 R=0 C=${'0'.repeat(32)} V=3 M=x`)),
  ctl(PPP_PAP, 0x02, 0x01, '01 00'),
  // IPCP (RFC 1332, 1877): ConfReq <addr>, ConfNak <addr> <dns1> <dns2>, ConfAck.
  ctl(PPP_IPCP, 0x01, 0x01, '0306 0a4d0001'),
  ctl(PPP_IPCP, 0x03, 0x02, '0306 0a4d0002 8106 0a4d0035 8306 0a4d0036'),
  ctl(PPP_IPCP, 0x02, 0x03, '0306 0a4d0002'),
  // IPv6CP (RFC 5072): ConfReq <interface id>.
  ctl(PPP_IPV6CP, 0x01, 0x01, '010a 0011223344556677'),
  // CCP ConfReq (the client must Protocol-Reject it), and an ICMP echo reply inside IPv4.
  ctl(PPP_CCP, 0x01, 0x01, ''),
  ppp(PPP_IPV4, hex('4500001c0000400040010000 0a4d0001 0a4d0002 0000ffff00010001')),
];

function flipBits(frame: Buffer, positions: readonly number[]): Buffer {
  const out = Buffer.from(frame);
  for (const p of positions) {
    const bit = p % (out.length * 8);
    out[bit >> 3] = (out[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  }
  return out;
}

/** SSTP's 12-bit length, rewritten to match the (mutated) frame so the framing survives. */
function fixLength(frame: Buffer): Buffer {
  if (frame.length < 4 || frame.length > 0x0fff) return frame;
  const out = Buffer.from(frame);
  out[0] = 0x10;
  out.writeUInt16BE((out.readUInt16BE(2) & 0xf000) | out.length, 2);
  return out;
}

const legal = fc.constantFrom(...LEGAL_SERVER_FRAMES);

/** One fuzzed frame. Most keep SSTP framing intact, so the layers above see the damage. */
export const fuzzedFrame: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 2, arbitrary: legal },
  // Bit flips anywhere (header included), length fixed up or not.
  {
    weight: 4,
    arbitrary: fc
      .tuple(legal, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.boolean())
      .map(([f, bits, fix]) => (fix ? fixLength(flipBits(f, bits)) : flipBits(f, bits))),
  },
  // Bit flips past the SSTP and PPP headers only: a well-framed packet with a broken body.
  {
    weight: 8,
    arbitrary: fc
      .tuple(legal, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }))
      .map(([f, bits]) => (f.length > 8 ? Buffer.concat([f.subarray(0, 8), flipBits(f.subarray(8), bits)]) : f)),
  },
  // Truncated or extended, with the length fixed so the packet frames.
  {
    weight: 4,
    arbitrary: fc
      .tuple(legal, fc.nat(), fc.uint8Array({ maxLength: 64 }))
      .map(([f, cut, tail]) =>
        fixLength(Buffer.concat([f.subarray(0, 4 + (cut % Math.max(1, f.length - 3))), Buffer.from(tail)])),
      ),
  },
  // Random bytes as an SSTP data packet (a PPP frame of random protocol and content).
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 1600 }).map((b) => encodeDataPacket(Buffer.from(b))) },
  // Random bytes as an SSTP control packet.
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 4, maxLength: 200 })
      .map((b) => fixLength(Buffer.concat([Buffer.from([0x10, 0x01, 0, 0]), Buffer.from(b)]))),
  },
  // A header whose length lies (longer or shorter than what follows), or raw garbage.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 }))
      .map(([len, b]) => Buffer.concat([Buffer.from([0x10, len & 1, len >> 8, len & 0xff]), Buffer.from(b)])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => Buffer.from(b)) },
);

/** What the peer sends at one fault point. */
export const fuzzedBurst = (maxFrames: number): fc.Arbitrary<Buffer[]> =>
  fc.array(fuzzedFrame, { minLength: 1, maxLength: maxFrames, size: 'max' });
