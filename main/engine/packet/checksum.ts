// The Internet checksum (RFC 1071): one's-complement sum of 16-bit words.
export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((buf[i] ?? 0) << 8) | (buf[i + 1] ?? 0);
  if (i < end) sum += (buf[i] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1) of the packet p[0, end): 0 when the
 * packet's own is right; with the checksum field zeroed, the value to write there.
 */
export function icmpv6Checksum(p: Uint8Array, end: number): number {
  const length = end - 40;
  const pseudo = new Uint8Array(40 + length);
  pseudo.set(p.subarray(8, 40), 0);
  pseudo[32] = (length >>> 24) & 0xff;
  pseudo[33] = (length >>> 16) & 0xff;
  pseudo[34] = (length >>> 8) & 0xff;
  pseudo[35] = length & 0xff;
  pseudo[39] = 58; // next header: ICMPv6
  pseudo.set(p.subarray(40, end), 40);
  return internetChecksum(pseudo);
}
