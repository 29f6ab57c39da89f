// The flood a hostile or broken server can send without breaking a rule: SSTP data packets that
// carry nothing, and PPP frames of a protocol nobody knows (each of which the client must answer
// with an LCP Protocol-Reject, RFC 1661 §5.7). Made in chunks so 200 000 frames never sit in memory.
import type { Socket } from 'node:net';
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

function drained(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/**
 * Writes the flood chunk by chunk, waiting for TCP to drain, so the peer's memory stays flat.
 * The bytes written, or undefined when `canSend` said stop before the end.
 */
export async function writeFlood(socket: Socket, spec: FloodSpec, canSend: () => boolean): Promise<number | undefined> {
  let bytes = 0;
  for (const chunk of floodChunks(spec)) {
    if (!canSend()) return undefined;
    bytes += chunk.length;
    if (!socket.write(chunk)) await drained(socket);
  }
  return bytes;
}
