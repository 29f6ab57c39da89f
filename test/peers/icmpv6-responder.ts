// The peer's IPv6 side (RFC 4443 echo, RFC 4861 router solicitation): answers ICMPv6 echo requests to
// any address (the peer stands for the IPv6 Internet behind the tunnel), and says when the client
// solicits a router so the peer can advertise again. Independent of the engine's code.
export type Icmpv6Verdict =
  | { readonly kind: 'echo-reply'; readonly packet: Buffer; readonly from: string; readonly to: string }
  | { readonly kind: 'router-solicitation'; readonly from: string }
  | { readonly kind: 'ignored'; readonly from: string; readonly to: string; readonly why: string };

function text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** The ICMPv6 checksum (pseudo-header: source, destination, length, next header 58). */
export function icmpv6Checksum(src: Buffer, dst: Buffer, icmp: Buffer): number {
  const pseudo = Buffer.concat([
    src,
    dst,
    Buffer.from([0, 0, icmp.length >> 8, icmp.length & 0xff, 0, 0, 0, 58]),
    icmp,
  ]);
  let sum = 0;
  for (let i = 0; i < pseudo.length; i += 2) sum += (pseudo[i]! << 8) | (pseudo[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function answerIcmpv6(packet: Buffer): Icmpv6Verdict {
  if (packet.length < 48 || (packet[0] ?? 0) >> 4 !== 6)
    return { kind: 'ignored', from: '?', to: '?', why: 'not IPv6' };
  const src = packet.subarray(8, 24);
  const dst = packet.subarray(24, 40);
  const from = text(src);
  const to = text(dst);
  const end = 40 + packet.readUInt16BE(4);
  if (packet[6] !== 58 || end > packet.length) return { kind: 'ignored', from, to, why: 'not ICMPv6 (or truncated)' };
  const icmp = packet.subarray(40, end);
  if (icmpv6Checksum(src, dst, icmp) !== 0) return { kind: 'ignored', from, to, why: 'bad ICMPv6 checksum' };
  if (icmp[0] === 133) return { kind: 'router-solicitation', from };
  if (icmp[0] !== 128) return { kind: 'ignored', from, to, why: `ICMPv6 type ${icmp[0]}` };
  const reply = Buffer.from(packet.subarray(0, end));
  dst.copy(reply, 8);
  src.copy(reply, 24);
  reply[7] = 64;
  reply[40] = 129;
  reply.writeUInt16BE(0, 42);
  reply.writeUInt16BE(icmpv6Checksum(reply.subarray(8, 24), reply.subarray(24, 40), reply.subarray(40)), 42);
  return { kind: 'echo-reply', packet: reply, from, to };
}
