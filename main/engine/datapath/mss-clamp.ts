// TCP MSS clamping on the tunnel's datapath: a SYN (or SYN-ACK) whose MSS option is larger than the
// tunnel can carry has it lowered, so both ends send segments that fit and TCP never stalls on a path
// whose ICMP "fragmentation needed" is lost (RFC 4459 §3.2; what `iptables … TCPMSS --clamp-mss` does).
// Pure byte work on one IP packet in place: IPv4 (no fragments) and IPv6 (TCP right after the fixed
// header), the TCP checksum fixed up incrementally (RFC 1624, eqn. 3). Anything else is left alone.

const TCP = 6;
const SYN = 0x02;
const OPT_END = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;

/** The MSS to clamp to for a tunnel MTU: MTU − IPv4 (20) − TCP (20); IPv6 takes 20 more (see clampMss). */
export function mssForMtu(mtu: number): number {
  return mtu - 40;
}

/**
 * Lowers the MSS option of a TCP SYN in `buf[start, end)` to `maxMss` (the IPv4 figure; IPv6 gets
 * maxMss − 20 since its header is 20 bytes longer). Returns true when it changed the packet.
 */
export function clampMss(buf: Buffer, start: number, end: number, maxMss: number): boolean {
  const at = mssOptionAt(buf, start, end);
  if (!at) return false;
  const limit = at.v6 ? maxMss - 20 : maxMss;
  const old = buf.readUInt16BE(at.option + 2);
  if (old <= limit || limit <= 0) return false;
  buf.writeUInt16BE(limit, at.option + 2);
  // RFC 1624: HC' = ~(~HC + ~m + m'), in one's complement. When the value starts on an odd offset of
  // the segment (an odd number of NOPs before the option) its bytes fall in two words of the sum,
  // which the one's complement sum sees as the byte-swapped value.
  const odd = (at.option + 2 - at.tcp) % 2 === 1;
  const m = odd ? swap16(old) : old;
  const m2 = odd ? swap16(limit) : limit;
  const hc = buf.readUInt16BE(at.tcp + 16);
  let sum = (~hc & 0xffff) + (~m & 0xffff) + m2;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  buf.writeUInt16BE(~sum & 0xffff, at.tcp + 16);
  return true;
}

/** Whether clampMss would change this packet (so a read-only view can be copied first). */
export function needsMssClamp(buf: Buffer, start: number, end: number, maxMss: number): boolean {
  const at = mssOptionAt(buf, start, end);
  if (!at) return false;
  const limit = at.v6 ? maxMss - 20 : maxMss;
  return limit > 0 && buf.readUInt16BE(at.option + 2) > limit;
}

function mssOptionAt(
  buf: Buffer,
  start: number,
  end: number,
): { tcp: number; option: number; v6: boolean } | undefined {
  if (end - start < 20 || end > buf.length) return undefined;
  const version = (buf[start] ?? 0) >> 4;
  let tcp: number;
  if (version === 4) {
    const ihl = ((buf[start] ?? 0) & 0x0f) * 4;
    if (ihl < 20 || buf[start + 9] !== TCP) return undefined;
    // Only whole datagrams: a fragment's first piece may hold the header, later ones do not.
    if ((buf.readUInt16BE(start + 6) & 0x3fff) !== 0) return undefined;
    const total = buf.readUInt16BE(start + 2);
    if (total > end - start) return undefined;
    end = start + total;
    tcp = start + ihl;
  } else if (version === 6) {
    if (end - start < 40 || buf[start + 6] !== TCP) return undefined;
    const payload = buf.readUInt16BE(start + 4);
    if (40 + payload > end - start) return undefined;
    end = start + 40 + payload;
    tcp = start + 40;
  } else return undefined;
  if (end - tcp < 20 || ((buf[tcp + 13] ?? 0) & SYN) === 0) return undefined;
  const dataOffset = ((buf[tcp + 12] ?? 0) >> 4) * 4;
  if (dataOffset < 20 || tcp + dataOffset > end) return undefined;
  for (let i = tcp + 20; i < tcp + dataOffset;) {
    const kind = buf[i] ?? OPT_END;
    if (kind === OPT_END) return undefined;
    if (kind === OPT_NOP) {
      i++;
      continue;
    }
    const len = buf[i + 1] ?? 0;
    if (len < 2 || i + len > tcp + dataOffset) return undefined;
    if (kind === OPT_MSS) return len === 4 ? { tcp, option: i, v6: version === 6 } : undefined;
    i += len;
  }
  return undefined;
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | (v >> 8);
}
