// A tiny userspace host behind the tunnel: answers ICMP echo requests addressed to the peer's own
// IPCP address, so `causeway test` can ping through the tunnel without a TUN device.
import { internetChecksum } from '../../main/engine/packet/checksum.js';
import { formatIpv4, parseIpv4 } from '../../main/engine/packet/icmp.js';

export type IcmpVerdict =
  | { readonly kind: 'reply'; readonly packet: Buffer; readonly from: string; readonly to: string }
  | { readonly kind: 'ignored'; readonly from: string; readonly to: string; readonly why: string };

/*
 * IPv4 (RFC 791): ver/ihl · tos · total length · id · flags/frag · ttl · proto · checksum · src · dst
 * ICMP echo (RFC 792): type 8 → 0 · code · checksum · id · seq · data
 */
export function answerEcho(packet: Buffer, ownAddress: string): IcmpVerdict {
  const from = packet.length >= 20 ? formatIpv4(packet.subarray(12, 16)) : '?';
  const to = packet.length >= 20 ? formatIpv4(packet.subarray(16, 20)) : '?';
  const ignored = (why: string): IcmpVerdict => ({ kind: 'ignored', from, to, why });
  if (packet.length < 28 || (packet[0] ?? 0) >> 4 !== 4) return ignored('not an IPv4 packet');
  const ihl = ((packet[0] ?? 0) & 0x0f) * 4;
  const total = packet.readUInt16BE(2);
  if (ihl < 20 || total > packet.length || total < ihl + 8) return ignored('bad lengths');
  if (internetChecksum(packet, 0, ihl) !== 0) return ignored('bad IPv4 header checksum');
  if (packet[9] !== 1 || packet[ihl] !== 8) return ignored('not an ICMP echo request');
  if (internetChecksum(packet, ihl, total) !== 0) return ignored('bad ICMP checksum');
  const own = parseIpv4(ownAddress);
  if (!own || !packet.subarray(16, 20).equals(own)) return ignored('not addressed to the peer');
  const reply = Buffer.from(packet.subarray(0, total));
  packet.copy(reply, 12, 16, 20);
  packet.copy(reply, 16, 12, 16);
  reply[8] = 64;
  reply.writeUInt16BE(0, 10);
  reply.writeUInt16BE(internetChecksum(reply, 0, ihl), 10);
  reply[ihl] = 0;
  reply.writeUInt16BE(0, ihl + 2);
  reply.writeUInt16BE(internetChecksum(reply, ihl, total), ihl + 2);
  return { kind: 'reply', packet: reply, from, to };
}
