// See gso.h. Why this exists: a TUN write runs the kernel's whole receive path (IP, TCP, waking the
// reader) once per packet. Handing it one GSO packet for a run of ~40 MSS-sized segments, marked
// VIRTIO_NET_HDR_F_NEEDS_CSUM, runs that path once per run instead: this is what the kernel's own
// GRO does for a NIC, and what a virtio/vhost guest does for its host. UDP runs: gso_udp.c.
//
// TCP merge rules (the kernel's tcp_gro_receive, conservatively):
//   - IPv4 without options or fragmentation, or IPv6 without extension headers; protocol TCP;
//     the IP length field equals the bytes given; IPv4 header checksum and TCP checksum verified
//     (a NEEDS_CSUM packet makes the kernel trust the payload, so a bad segment must never join);
//   - same addresses, TOS/traffic class, flow label, TTL/hop limit, DF, ports, ack, window, urgent
//     pointer, data offset and option bytes; sequence numbers consecutive;
//   - flags: ACK only, except the last segment of a run, which may add PSH; anything else (SYN,
//     FIN, RST, URG, ECE, CWR) is written as is;
//   - every payload equals the first one's (the GSO size) except the last, which may be shorter;
//   - at most GSO_MAX_SEGS segments and GSO_MAX_LENGTH bytes.
#include "gso.h"

#include "csum.h"

#include <endian.h>

#define TCP_FLAG_PSH 0x08u
#define TCP_FLAG_ACK 0x10u

// ---- segments -----------------------------------------------------------------------------------

typedef struct {
  int v6;
  uint32_t ip_length;   // IP header bytes (20 or 40)
  uint32_t tcp_length;  // TCP header bytes (20..60)
  uint32_t payload;     // bytes after the TCP header (> 0)
  uint32_t seq;
  uint8_t flags;
} segment_t;

// 1 when p[0, n) is a TCP segment with data that may take part in a merge, by its shape alone
// (checksums are checked by segment_checksums_ok, only for segments that are about to be merged).
static int parse_segment(const uint8_t *p, size_t n, segment_t *s) {
  if (n < 1 || n > GSO_MAX_LENGTH) return 0;
  if (p[0] == 0x45) {  // IPv4, 20-byte header: options would have to match too; not worth it
    if (n < 20 + 20 || p[9] != IPPROTO_TCP_NUMBER || rd_be16(p + 2) != n) return 0;
    if ((p[6] & 0xbfu) != 0 || p[7] != 0) return 0;  // reserved bit, MF or a fragment offset: only DF may be set
    s->v6 = 0;
    s->ip_length = 20;
  } else if ((p[0] >> 4) == 6) {
    if (n < 40 + 20 || p[6] != IPPROTO_TCP_NUMBER || (size_t)rd_be16(p + 4) + 40 != n) return 0;
    s->v6 = 1;
    s->ip_length = 40;
  } else {
    return 0;
  }
  const uint8_t *tcp = p + s->ip_length;
  s->tcp_length = (uint32_t)(tcp[12] >> 4) * 4u;
  if (s->tcp_length < 20 || s->ip_length + s->tcp_length >= n) return 0;  // no payload: a pure ACK
  s->payload = (uint32_t)n - s->ip_length - s->tcp_length;
  s->seq = rd_be32(tcp + 4);
  s->flags = tcp[13];
  if ((s->flags & TCP_FLAG_ACK) == 0 || (s->flags & ~(TCP_FLAG_ACK | TCP_FLAG_PSH)) != 0) return 0;
  return 1;
}

static int segment_checksums_ok(const uint8_t *p, size_t n, const segment_t *s) {
  if (!s->v6 && !csum_ipv4_ok(p)) return 0;
  return csum_l4_ok(p, n, s->v6, s->ip_length, IPPROTO_TCP_NUMBER);
}

// Whether q (parsed as sq) continues the flow of f (parsed as sf) at sequence number `seq`.
static int continues(const uint8_t *f, const segment_t *sf, const uint8_t *q, const segment_t *sq, uint32_t seq) {
  if (sq->v6 != sf->v6 || sq->tcp_length != sf->tcp_length || sq->seq != seq || sq->payload > sf->payload) return 0;
  if (!sf->v6) {
    // TOS, DF, TTL, addresses. The IP ID is not compared: the merged packet keeps the first one's.
    if (q[1] != f[1] || q[6] != f[6] || q[8] != f[8] || memcmp(q + 12, f + 12, 8) != 0) return 0;
  } else {
    // Version, traffic class, flow label; hop limit; addresses.
    if (memcmp(q, f, 4) != 0 || q[7] != f[7] || memcmp(q + 8, f + 8, 32) != 0) return 0;
  }
  const uint8_t *ft = f + sf->ip_length, *qt = q + sq->ip_length;
  return memcmp(qt, ft, 4) == 0                        // ports
         && memcmp(qt + 8, ft + 8, 4) == 0             // ack
         && qt[12] == ft[12]                           // data offset, reserved bits
         && memcmp(qt + 14, ft + 14, 2) == 0           // window
         && memcmp(qt + 18, ft + 18, 2) == 0           // urgent pointer
         && memcmp(qt + 20, ft + 20, sf->tcp_length - 20) == 0;  // options, timestamps included
}

// ---- plans --------------------------------------------------------------------------------------

void gso_plan_single(const gso_packet_t *packet, gso_plan_t *plan) {
  memset(&plan->vnet, 0, sizeof plan->vnet);
  plan->iov[0].iov_base = &plan->vnet;
  plan->iov[0].iov_len = sizeof plan->vnet;
  plan->iov[1].iov_base = (void *)packet->data;  // writev only reads through it
  plan->iov[1].iov_len = packet->length;
  plan->iov_count = 2;
  plan->count = 1;
  plan->length = packet->length;
}

uint32_t gso_plan_tcp(const gso_packet_t *packets, uint32_t n, gso_plan_t *plan) {
  gso_plan_single(&packets[0], plan);
  const uint8_t *f = packets[0].data;
  segment_t sf;
  // The first segment must be plain ACK: with PSH it ends a run, so there is nothing to merge.
  if (n < 2 || f == NULL || !parse_segment(f, packets[0].length, &sf) || sf.flags != TCP_FLAG_ACK) return 1;

  uint32_t headers = sf.ip_length + sf.tcp_length;
  uint32_t count = 1;
  size_t total = packets[0].length;
  uint32_t seq = sf.seq + sf.payload;  // wraps modulo 2^32, as TCP sequence numbers do
  uint32_t last_payload = sf.payload;
  uint8_t last_flags = sf.flags;
  int first_checked = 0;

  while (count < n && count < GSO_MAX_SEGS && last_payload == sf.payload && (last_flags & TCP_FLAG_PSH) == 0) {
    const uint8_t *q = packets[count].data;
    size_t qn = packets[count].length;
    segment_t sq;
    if (q == NULL || !parse_segment(q, qn, &sq) || !continues(f, &sf, q, &sq, seq)) break;
    if (total + sq.payload > GSO_MAX_LENGTH) break;
    if (!first_checked) {
      if (!segment_checksums_ok(f, packets[0].length, &sf)) return 1;
      first_checked = 1;
    }
    if (!segment_checksums_ok(q, qn, &sq)) break;
    plan->iov[2 + count].iov_base = (void *)(q + headers);
    plan->iov[2 + count].iov_len = sq.payload;
    total += sq.payload;
    seq += sq.payload;
    last_payload = sq.payload;
    last_flags = sq.flags;
    count++;
  }
  if (count == 1) return 1;

  uint8_t *h = plan->head;
  memcpy(h, f, headers);
  if (!sf.v6) {
    wr_be16(h + 2, (uint32_t)total);
    csum_ipv4_set(h);
  } else {
    wr_be16(h + 4, (uint32_t)total - 40);
  }
  uint8_t *tcp = h + sf.ip_length;
  tcp[13] = last_flags;  // PSH of the last segment, if any
  // CHECKSUM_PARTIAL convention: the field holds the folded pseudo-header sum, not inverted; the
  // kernel (or whoever segments the packet later) adds the rest from csum_start.
  uint16_t seed = csum_fold(csum_pseudo(h, sf.v6, IPPROTO_TCP_NUMBER, (uint32_t)total - sf.ip_length));
  memcpy(tcp + 16, &seed, 2);

  plan->iov[1].iov_base = h;
  plan->iov[1].iov_len = headers;
  plan->iov[2].iov_base = (void *)(f + headers);
  plan->iov[2].iov_len = sf.payload;
  plan->iov_count = 2 + count;
  plan->count = count;
  plan->length = total;
  plan->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  plan->vnet.gso_type = sf.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
  plan->vnet.hdr_len = htole16((uint16_t)headers);
  plan->vnet.gso_size = htole16((uint16_t)sf.payload);
  plan->vnet.csum_start = htole16((uint16_t)sf.ip_length);
  plan->vnet.csum_offset = htole16(16);  // offsetof(struct tcphdr, check)
  return count;
}

uint32_t gso_plan(const gso_packet_t *packets, uint32_t n, unsigned allow, gso_plan_t *plan) {
  const uint8_t *f = packets[0].data;
  // 20 bytes are enough to read either version's protocol field; the planners check the rest.
  if (n >= 2 && f != NULL && packets[0].length >= 20) {
    uint8_t proto = (f[0] >> 4) == 6 ? f[6] : f[9];
    if (proto == IPPROTO_TCP_NUMBER && (allow & GSO_ALLOW_TCP)) return gso_plan_tcp(packets, n, plan);
    if (proto == IPPROTO_UDP_NUMBER && (allow & GSO_ALLOW_UDP)) return gso_plan_udp(packets, n, plan);
  }
  gso_plan_single(&packets[0], plan);
  return 1;
}

int gso_complete_checksum(uint8_t *packet, size_t length, uint32_t start, uint32_t offset) {
  if ((size_t)start > length || (size_t)offset + 2 > length - start) return -1;
  // Bytes pair up from csum_start; the field must sit on that pairing to be stored in memory order.
  if ((offset & 1u) != 0) return -1;
  uint16_t sum = (uint16_t)~csum_fold(csum_add(packet + start, length - start, 0));
  if (sum == 0) sum = 0xffffu;  // -0 for +0: the same for TCP, and the only valid form for UDP
  memcpy(packet + start + offset, &sum, 2);
  return 0;
}
