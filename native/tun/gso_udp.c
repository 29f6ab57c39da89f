// See gso.h. UDP runs as one GSO packet (VIRTIO_NET_HDR_GSO_UDP_L4, "USO"): a download of UDP
// traffic (QUIC, media, a UDP benchmark) otherwise costs one TUN write, and one pass of the kernel's
// receive path, per datagram. The kernel cuts a UDP_L4 packet back into datagrams of gso_size
// payload bytes (the last one may be shorter) with the first one's headers, its own UDP length and
// a computed checksum (__udp_gso_segment), when it reaches a socket that did not ask for UDP_GRO,
// or a device that cannot take it whole; a socket with UDP_GRO gets it whole, with the size.
//
// Unlike TCP there is no byte stream to continue: datagram boundaries are the data. A run may only
// hold datagrams the kernel will cut back at exactly the same boundaries, so:
//   - IPv4 without options or fragmentation (only DF may be set), or IPv6 without extension headers;
//     protocol UDP; the IP and UDP length fields agree with the bytes given; a payload of >= 1 byte;
//   - same addresses, TOS/traffic class, flow label, TTL/hop limit, DF and ports;
//   - every payload equals the first one's (the GSO size) except the last, which may be shorter;
//   - checksums verified (NEEDS_CSUM makes the kernel compute fresh ones, so a corrupt datagram
//     must never join); an IPv4 checksum of 0 ("none", RFC 768) may join and comes out computed;
//     an IPv6 checksum of 0 is invalid (RFC 8200 §8.1) and is written as is, for the kernel to drop;
//   - at most GSO_MAX_SEGS datagrams (the kernel's UDP_MAX_SEGMENTS is 64 or more) and 64 KB.
//
// Kernel support: virtio_net_hdr_to_skb takes VIRTIO_NET_HDR_GSO_UDP_L4 since Linux 6.2. What
// TUNSETOFFLOAD's TUN_F_USO4/6 change is what the kernel may hand us on read, not what it accepts
// on write (open.c leaves every offload off). An older kernel answers EINVAL, and write.c stops
// merging UDP on that device (TCP merging stays on).
#include "gso.h"

#include "csum.h"

#include <endian.h>

#define UDP_HEADER 8u

typedef struct {
  int v6;
  uint32_t ip_length;  // 20 or 40
  uint32_t payload;    // bytes after the UDP header (> 0)
} datagram_t;

// 1 when p[0, n) is a UDP datagram that may take part in a run, by its shape alone.
static int parse_datagram(const uint8_t *p, size_t n, datagram_t *d) {
  if (n < 1 || n > GSO_MAX_LENGTH) return 0;
  if (p[0] == 0x45) {
    if (n < 20 + UDP_HEADER + 1 || p[9] != IPPROTO_UDP_NUMBER || rd_be16(p + 2) != n) return 0;
    if ((p[6] & 0xbfu) != 0 || p[7] != 0) return 0;  // reserved bit, MF or a fragment offset
    d->v6 = 0;
    d->ip_length = 20;
  } else if ((p[0] >> 4) == 6) {
    if (n < 40 + UDP_HEADER + 1 || p[6] != IPPROTO_UDP_NUMBER || (size_t)rd_be16(p + 4) + 40 != n) return 0;
    d->v6 = 1;
    d->ip_length = 40;
  } else {
    return 0;
  }
  if (rd_be16(p + d->ip_length + 4) != n - d->ip_length) return 0;  // UDP length: padding or a lie
  d->payload = (uint32_t)n - d->ip_length - UDP_HEADER;
  return 1;
}

static int datagram_checksums_ok(const uint8_t *p, size_t n, const datagram_t *d) {
  if (d->v6) return rd_be16(p + 40 + 6) != 0 && csum_l4_ok(p, n, 1, 40, IPPROTO_UDP_NUMBER);
  if (!csum_ipv4_ok(p)) return 0;
  return rd_be16(p + 20 + 6) == 0 || csum_l4_ok(p, n, 0, 20, IPPROTO_UDP_NUMBER);
}

// Whether q (parsed as dq) belongs to the run of f (parsed as df).
static int same_flow(const uint8_t *f, const datagram_t *df, const uint8_t *q, const datagram_t *dq) {
  if (dq->v6 != df->v6 || dq->payload > df->payload) return 0;
  if (!df->v6) {
    // TOS, DF, TTL, addresses. The IP ID is not compared: the kernel numbers the datagrams it cuts.
    if (q[1] != f[1] || q[6] != f[6] || q[8] != f[8] || memcmp(q + 12, f + 12, 8) != 0) return 0;
  } else {
    if (memcmp(q, f, 4) != 0 || q[7] != f[7] || memcmp(q + 8, f + 8, 32) != 0) return 0;
  }
  return memcmp(q + dq->ip_length, f + df->ip_length, 4) == 0;  // ports
}

uint32_t gso_plan_udp(const gso_packet_t *packets, uint32_t n, gso_plan_t *plan) {
  gso_plan_single(&packets[0], plan);
  const uint8_t *f = packets[0].data;
  datagram_t df;
  if (n < 2 || f == NULL || !parse_datagram(f, packets[0].length, &df)) return 1;

  uint32_t headers = df.ip_length + UDP_HEADER;
  uint32_t count = 1;
  size_t total = packets[0].length;
  uint32_t last_payload = df.payload;
  int first_checked = 0;

  while (count < n && count < GSO_MAX_SEGS && last_payload == df.payload) {
    const uint8_t *q = packets[count].data;
    size_t qn = packets[count].length;
    datagram_t dq;
    if (q == NULL || !parse_datagram(q, qn, &dq) || !same_flow(f, &df, q, &dq)) break;
    if (total + dq.payload > GSO_MAX_LENGTH) break;
    if (!first_checked) {
      if (!datagram_checksums_ok(f, packets[0].length, &df)) return 1;
      first_checked = 1;
    }
    if (!datagram_checksums_ok(q, qn, &dq)) break;
    plan->iov[2 + count].iov_base = (void *)(q + headers);
    plan->iov[2 + count].iov_len = dq.payload;
    total += dq.payload;
    last_payload = dq.payload;
    count++;
  }
  if (count == 1) return 1;

  uint8_t *h = plan->head;
  memcpy(h, f, headers);
  uint32_t udp_length = (uint32_t)total - df.ip_length;
  if (!df.v6) {
    wr_be16(h + 2, (uint32_t)total);
    csum_ipv4_set(h);
  } else {
    wr_be16(h + 4, udp_length);
  }
  uint8_t *udp = h + df.ip_length;
  // The UDP length and the pseudo-header cover the whole super-packet: the kernel swaps that length
  // for each datagram's in the checksum seed it starts from (__udp_gso_segment).
  wr_be16(udp + 4, udp_length);
  uint16_t seed = csum_fold(csum_pseudo(h, df.v6, IPPROTO_UDP_NUMBER, udp_length));
  memcpy(udp + 6, &seed, 2);

  plan->iov[1].iov_base = h;
  plan->iov[1].iov_len = headers;
  plan->iov[2].iov_base = (void *)(f + headers);
  plan->iov[2].iov_len = df.payload;
  plan->iov_count = 2 + count;
  plan->count = count;
  plan->length = total;
  plan->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  plan->vnet.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
  plan->vnet.hdr_len = htole16((uint16_t)headers);
  plan->vnet.gso_size = htole16((uint16_t)df.payload);
  plan->vnet.csum_start = htole16((uint16_t)df.ip_length);
  plan->vnet.csum_offset = htole16(6);  // offsetof(struct udphdr, check)
  return count;
}
