// The flood a hostile or broken server can send without breaking a rule: SSTP data packets that
// carry nothing, and PPP frames of a protocol nobody knows (each of which the client must answer
// with an LCP Protocol-Reject, RFC 1661 §5.7). Made in chunks so 200 000 frames never sit in memory.
import { encodeFrame } from '../../main/engine/ppp/frame.js';
import { encodeDataPacket } from '../../main/engine/sstp/header.js';
import type { FloodSpec } from './script.js';

const EMPTY_DATA = Buffer.from('10000004', 'hex');
const FRAMES_PER_CHUNK = 4096;

/** Empty data packets and unknown-protocol frames, interleaved, ~FRAMES_PER_CHUNK per chunk. */
export function* floodChunks(spec: FloodSpec): Generator<Buffer> {
  const unknown = encodeDataPacket(encodeFrame(spec.protocol ?? 0x2a2b, Buffer.from('flood')));
  let empty = spec.emptyData;
  let other = spec.unknownProtocol;
  while (empty > 0 || other > 0) {
    const parts: Buffer[] = [];
    for (let i = 0; i < FRAMES_PER_CHUNK && (empty > 0 || other > 0); i++) {
      if (empty > 0 && (i % 2 === 0 || other === 0)) {
        parts.push(EMPTY_DATA);
        empty--;
      } else {
        parts.push(unknown);
        other--;
      }
    }
    yield Buffer.concat(parts);
  }
}
