// The unit of TUN reads: every packet that was ready at one wake-up, in one allocation.
//
// Layout of `buffer` (H = headroom):
//
//   bounds[0]                bounds[1]                bounds[2] ... bounds[count]
//   | H free | IP packet 0 | H free | IP packet 1 | ...              |
//
// Packet i's frame is buffer[bounds[i], bounds[i+1]); its IP bytes start at bounds[i] + H.
// The free bytes are zeroed and belong to the consumer. With H = 8 the pump writes the SSTP data
// header and the PPP header (`10 00 LL LL FF 03 00 21` for IPv4, `… 00 57` for IPv6) into each
// frame's room, after which buffer[bounds[0], bounds[count]) is already the byte sequence of
// `count` SSTP data packets: it can go to TLS as one write with no copy at all (or be split at any
// frame boundary when a write must stay under a size). Frames never straddle a batch.

/** Room the pump needs in front of each IP packet: SSTP data header (4) + PPP address/control/protocol (4). */
export const SSTP_PPP_HEADROOM = 8;

export interface PacketBatch {
  readonly buffer: Buffer;
  /** count + 1 frame boundaries into `buffer`, ascending; bounds[count] is the used length. */
  readonly bounds: Uint32Array;
  readonly count: number;
  readonly headroom: number;
}

/** The IP packet i (a view, no copy). */
export function packetAt(batch: PacketBatch, i: number): Buffer {
  const start = batch.bounds[i];
  const end = batch.bounds[i + 1];
  if (start === undefined || end === undefined) throw new RangeError(`packet ${i} of ${batch.count}`);
  return batch.buffer.subarray(start + batch.headroom, end);
}

/** Headroom + packet i (a view, no copy): where the pump writes its header. */
export function frameAt(batch: PacketBatch, i: number): Buffer {
  const start = batch.bounds[i];
  const end = batch.bounds[i + 1];
  if (start === undefined || end === undefined) throw new RangeError(`frame ${i} of ${batch.count}`);
  return batch.buffer.subarray(start, end);
}

/** Copies packets into the batch layout; what the in-memory TUN delivers, and handy in tests. */
export function makeBatch(packets: readonly Uint8Array[], headroom: number): PacketBatch {
  let total = 0;
  for (const p of packets) total += headroom + p.length;
  const buffer = Buffer.alloc(total);
  const bounds = new Uint32Array(packets.length + 1);
  let pos = 0;
  packets.forEach((p, i) => {
    bounds[i] = pos;
    buffer.set(p, pos + headroom);
    pos += headroom + p.length;
  });
  bounds[packets.length] = pos;
  return { buffer, bounds, count: packets.length, headroom };
}
