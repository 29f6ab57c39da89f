// Turns an ICMP echo request (IPv4) into the matching reply, as the server would.
import { internetChecksum } from '../../../../main/engine/packet/checksum.js';

export function buildEchoReplyFor(request: Buffer): Buffer {
  const p = Buffer.from(request);
  const src = p.subarray(12, 16);
  const dst = Buffer.from(p.subarray(16, 20));
  src.copy(p, 16);
  dst.copy(p, 12);
  p.writeUInt16BE(0, 10);
  p.writeUInt16BE(internetChecksum(p, 0, 20), 10);
  p[20] = 0;
  p.writeUInt16BE(0, 22);
  p.writeUInt16BE(internetChecksum(p, 20, p.length), 22);
  return p;
}
