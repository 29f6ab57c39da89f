// The 8 bytes in front of every IP packet on the wire: SSTP data header + PPP address/control/protocol.
//   10 00 LL LL  FF 03  00 21 (IPv4) | 00 57 (IPv6)
// The one place IP is framed for the server, in both directions: the packet pump writes the header in
// place, into room left in front of each packet read from the TUN (so the packet is never copied for
// it); sendIp (one packet, no headroom) uses frameIpPacket; the receive fast path asks isIpv4Frame.
import { PPP_ADDRESS, PPP_CONTROL, PPP_HEADER_BYTES } from '../ppp/frame.js';
import { PPP_IPV4, PPP_IPV6 } from '../ppp/protocols.js';
import { writeDataHeader } from '../sstp/header.js';
import { SSTP_PPP_HEADROOM } from '../tun/packet-batch.js';

const SSTP_HEADER_BYTES = SSTP_PPP_HEADROOM - PPP_HEADER_BYTES;

/** Writes the header at `offset`; the IP packet of `ipLength` bytes follows at offset + SSTP_PPP_HEADROOM. */
export function writeIpFrameHeader(buf: Buffer, offset: number, ipLength: number, ipv6: boolean): void {
  writeDataHeader(buf, offset, PPP_HEADER_BYTES + ipLength);
  buf[offset + SSTP_HEADER_BYTES] = PPP_ADDRESS;
  buf[offset + SSTP_HEADER_BYTES + 1] = PPP_CONTROL;
  buf.writeUInt16BE(ipv6 ? PPP_IPV6 : PPP_IPV4, offset + SSTP_HEADER_BYTES + 2);
}

/** One whole SSTP data packet carrying `packet`, in one allocation. */
export function frameIpPacket(packet: Buffer, ipv6: boolean): Buffer {
  const out = Buffer.allocUnsafe(SSTP_PPP_HEADROOM + packet.length);
  writeIpFrameHeader(out, 0, packet.length, ipv6);
  packet.copy(out, SSTP_PPP_HEADROOM);
  return out;
}

/** Whether the PPP frame bytes[start, end) is a non-empty IPv4 packet (address, control, protocol 0x0021). */
export function isIpv4Frame(bytes: Buffer, start: number, end: number): boolean {
  return (
    end - start > PPP_HEADER_BYTES &&
    bytes[start] === PPP_ADDRESS &&
    bytes[start + 1] === PPP_CONTROL &&
    bytes[start + 2] === PPP_IPV4 >> 8 &&
    bytes[start + 3] === (PPP_IPV4 & 0xff)
  );
}
