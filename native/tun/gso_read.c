// See gso.h. The read side of the offloads: with TUNSETOFFLOAD's TSO/USO bits on (attach.c), the
// kernel hands us a TCP or UDP send of up to 64 KB as ONE read (virtio_net_hdr with gso_type and
// gso_size, the checksum left partial) instead of doing the segmentation in software and queueing
// every MSS-sized packet on the device. Upload (the local kernel sending into the tunnel) then costs
// one read(2) per ~45 segments. The pump must still get plain IP packets no larger than the MTU
// (the PPP MRU), so the packet is cut here, in the read slab, into what the kernel's software
// segmentation would have produced (tcp_gso_segment / __udp_gso_segment, inet_gso_segment,
// ipv6_gso_segment):
//   - every segment gets the super-packet's IP + TCP/UDP headers;
//   - IPv4: total length, header checksum, and the ID counting up from the first segment's (the
//     kernel reserved one ID per segment for a TSO send; virtio_net_hdr has no "fixed ID" bit);
//     IPv6: payload length;
//   - TCP: the sequence number advances by the segment size; FIN and PSH stay on the last segment
//     only, CWR on the first only (TSO_ECN semantics: the kernel sets CWR once per window);
//   - UDP: each datagram's own length; gso_size is the datagram payload size and is never changed,
//     since datagram boundaries are the application's data;
//   - TCP segments are cut at min(gso_size, MTU - headers): gso_size is the sender's MSS, which can
//     exceed a smaller MTU set after the connection began;
//   - checksums (TCP, UDP, IPv4 header) computed afresh for every segment over its own bytes, so
//     nothing depends on how the kernel seeded the partial checksum.
// IPv6 extension headers are not cut (the pseudo-header could depend on a routing header): such a
// GSO packet is dropped and counted, as are malformed ones; the kernel never builds them for a TUN.
//
// In place, no allocation: the segments spread out over the slab from the back, each payload moved
// forward by the headroom + headers of the segments before it (see gso_read_segment).
#include "gso.h"

#include "csum.h"

#include <endian.h>

#define TCP_FLAG_FIN 0x01u
#define TCP_FLAG_PSH 0x08u
#define TCP_FLAG_CWR 0x80u
#define UDP_HEADER 8u

typedef struct {
  int v6;
  uint8_t proto;
  uint32_t l3;    // IP header bytes (IPv4 with options: up to 60)
  uint32_t head;  // IP + TCP/UDP header bytes, copied in front of every segment
  uint32_t payload;
  uint32_t seg;  // payload bytes per segment (the last one may have fewer)
  uint32_t count;
} cut_t;

static void wr_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

// What to cut p[0, n) into, from its own headers and the virtio_net_hdr. 0 when it cannot be cut.
static int plan_cut(const uint8_t *p, size_t n, const struct virtio_net_hdr *vh, uint32_t mtu, cut_t *c) {
  uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
  if (n < 20 || n > GSO_MAX_LENGTH) return 0;
  if ((p[0] >> 4) == 4) {
    c->v6 = 0;
    c->l3 = (uint32_t)(p[0] & 0x0fu) * 4u;
    if (c->l3 < 20 || rd_be16(p + 2) != n || (rd_be16(p + 6) & 0x3fffu) != 0) return 0;  // MF or an offset
    c->proto = p[9];
  } else if ((p[0] >> 4) == 6) {
    c->v6 = 1;
    c->l3 = 40;
    if (n < 40 || (size_t)rd_be16(p + 4) + 40 != n) return 0;
    c->proto = p[6];
  } else {
    return 0;
  }
  if (type == VIRTIO_NET_HDR_GSO_TCPV4 || type == VIRTIO_NET_HDR_GSO_TCPV6) {
    if (c->proto != IPPROTO_TCP_NUMBER || c->v6 != (type == VIRTIO_NET_HDR_GSO_TCPV6)) return 0;
    if (n < c->l3 + 20u) return 0;
    c->head = c->l3 + (uint32_t)(p[c->l3 + 12] >> 4) * 4u;
    if (c->head < c->l3 + 20u) return 0;
  } else if (type == VIRTIO_NET_HDR_GSO_UDP_L4) {
    if (c->proto != IPPROTO_UDP_NUMBER) return 0;
    c->head = c->l3 + UDP_HEADER;
  } else {
    return 0;  // UFO (fragments) is never offered: attach.c does not set TUN_F_UFO
  }
  if (c->head > n || c->head > GSO_READ_MAX_HEAD) return 0;
  // Where the kernel says the checksum starts must be where we think L4 starts.
  if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && le16toh(vh->csum_start) != c->l3) return 0;
  c->payload = (uint32_t)n - c->head;
  c->seg = le16toh(vh->gso_size);
  if (c->seg == 0) return 0;
  if (c->proto == IPPROTO_TCP_NUMBER && mtu > c->head && c->head + c->seg > mtu) c->seg = mtu - c->head;
  c->count = c->payload == 0 ? 1u : (c->payload + c->seg - 1u) / c->seg;
  return 1;
}

// Turns the copy of the headers at q (followed by `plen` payload bytes) into segment i of c.
static void fix_segment(uint8_t *q, const uint8_t *first, const cut_t *c, uint32_t i, uint32_t plen) {
  uint32_t total = c->head + plen, l4 = total - c->l3;
  if (!c->v6) {
    wr_be16(q + 2, total);
    wr_be16(q + 4, (uint32_t)rd_be16(first + 4) + i);  // wraps at 16 bits, as the kernel's does
    q[10] = q[11] = 0;
    uint16_t ipsum = (uint16_t)~csum_fold(csum_add(q, c->l3, 0));
    memcpy(q + 10, &ipsum, 2);
  } else {
    wr_be16(q + 4, total - 40);
  }
  uint8_t *t = q + c->l3;
  uint16_t sum;
  if (c->proto == IPPROTO_TCP_NUMBER) {
    wr_be32(t + 4, rd_be32(first + c->l3 + 4) + i * c->seg);  // modulo 2^32
    uint8_t flags = first[c->l3 + 13];
    if (i + 1 != c->count) flags &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
    if (i != 0) flags &= (uint8_t)~TCP_FLAG_CWR;
    t[13] = flags;
    t[16] = t[17] = 0;
    sum = (uint16_t)~csum_fold(csum_add(t, l4, csum_pseudo(q, c->v6, IPPROTO_TCP_NUMBER, l4)));
    memcpy(t + 16, &sum, 2);
  } else {
    wr_be16(t + 4, l4);
    t[6] = t[7] = 0;
    sum = (uint16_t)~csum_fold(csum_add(t, l4, csum_pseudo(q, c->v6, IPPROTO_UDP_NUMBER, l4)));
    if (sum == 0) sum = 0xffffu;  // 0 would mean "no checksum" (RFC 768), and is invalid for IPv6
    memcpy(t + 6, &sum, 2);
  }
}

uint32_t gso_read_segment(uint8_t *slab, size_t capacity, size_t pos, uint32_t headroom, size_t length,
                          const struct virtio_net_hdr *vh, uint32_t mtu, uint32_t max_segs, uint32_t *bounds,
                          size_t *end) {
  uint8_t *p = slab + pos + headroom;
  if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
    if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
        gso_complete_checksum(p, length, le16toh(vh->csum_start), le16toh(vh->csum_offset)) != 0)
      return 0;
    memset(slab + pos, 0, headroom);
    bounds[0] = (uint32_t)pos;
    *end = pos + headroom + length;
    return 1;
  }
  cut_t c;
  if (!plan_cut(p, length, vh, mtu, &c) || c.count > max_segs) return 0;
  size_t frame = (size_t)headroom + c.head;  // what each segment adds in front of its payload
  size_t last_end = pos + c.count * frame + c.payload;
  if (last_end > capacity) return 0;
  // Frame i starts at pos + i * (frame + seg); its payload was read at pos + frame + i * seg, so it
  // moves forward by i * frame. Going from the last segment back, every move and header copy lands
  // on bytes already moved; the first segment's headers, the template, are rewritten last.
  for (uint32_t i = c.count - 1; i >= 1; i--) {
    size_t at = pos + (size_t)i * (frame + c.seg);
    uint32_t plen = i + 1 == c.count ? c.payload - i * c.seg : c.seg;
    memmove(slab + at + frame, p + c.head + (size_t)i * c.seg, plen);
    memset(slab + at, 0, headroom);
    memcpy(slab + at + headroom, p, c.head);
    fix_segment(slab + at + headroom, p, &c, i, plen);
    bounds[i] = (uint32_t)at;
  }
  uint8_t first[GSO_READ_MAX_HEAD];
  memcpy(first, p, c.head);
  fix_segment(p, first, &c, 0, c.count == 1 ? c.payload : c.seg);
  memset(slab + pos, 0, headroom);
  bounds[0] = (uint32_t)pos;
  *end = last_end;
  return c.count;
}
