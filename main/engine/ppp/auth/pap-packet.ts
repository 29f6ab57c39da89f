// PAP packets (RFC 1334 §2.2).
import { ByteReader, bad, ok } from '../../bytes.js';
import type { Decoded } from '../../bytes.js';
import { decodeHeader, encodePacket } from './packet-header.js';

export const PAP_AUTH_REQUEST = 1;
export const PAP_AUTH_ACK = 2;
export const PAP_AUTH_NAK = 3;

export type PapPacket =
  | { readonly code: 'request'; readonly id: number; readonly peerId: Buffer }
  | { readonly code: 'ack' | 'nak'; readonly id: number; readonly message: Buffer };

const WHAT = 'PAP packet';

// Authenticate-Request (§2.2.1):
// | Code (1) | Identifier | Length (2) | Peer-ID Length | Peer-Id ... | Passwd-Length | Password ... |
// Authenticate-Ack / -Nak (§2.2.2):
// | Code (2/3) | Identifier | Length (2) | Msg-Length | Message ... |
export function decodePap(packet: Buffer): Decoded<PapPacket> {
  const h = decodeHeader(packet, WHAT);
  if (!h.ok) return h;
  const { code, id, body } = h.value;
  const r = new ByteReader(body);
  switch (code) {
    case PAP_AUTH_REQUEST: {
      const n = r.u8();
      const peerId = n === undefined ? undefined : r.bytes(n);
      if (peerId === undefined) return bad(WHAT, 'Peer-ID', 'truncated');
      // The password is not kept: nothing here needs the server's idea of one.
      return ok({ code: 'request', id, peerId });
    }
    case PAP_AUTH_ACK:
    case PAP_AUTH_NAK: {
      const n = r.u8();
      // Some servers send no Msg-Length at all; treat that as an empty message.
      const message = n === undefined ? Buffer.alloc(0) : r.bytes(n);
      if (message === undefined) return bad(WHAT, 'Message', `Msg-Length ${n} exceeds the ${r.remaining} bytes left`);
      return ok({ code: code === PAP_AUTH_ACK ? 'ack' : 'nak', id, message });
    }
    default:
      return bad(WHAT, 'code', `unknown code ${code}`);
  }
}

/** Authenticate-Request; peer-id and password must each fit in 255 bytes. */
export function encodePapRequest(id: number, peerId: Buffer, password: Buffer): Buffer {
  return encodePacket(PAP_AUTH_REQUEST, id, Buffer.of(peerId.length), peerId, Buffer.of(password.length), password);
}
