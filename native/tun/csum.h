// The Internet checksum (RFC 1071) and big-endian field access, shared by the write planners
// (gso.c for TCP, gso_udp.c for UDP, ack_thin.c). Header-only so each file inlines what it uses.
//
// The ones-complement sum does not depend on byte order (RFC 1071 §2(B)): words are loaded in the
// host's order, and the folded result, stored back with memcpy, is already in network order.
// Every range summed here starts at an even offset of the packet, so the 16-bit pairing holds.
#ifndef CAUSEWAY_CSUM_H
#define CAUSEWAY_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IPPROTO_TCP_NUMBER 6u
#define IPPROTO_UDP_NUMBER 17u

static inline uint64_t csum_add(const uint8_t *p, size_t n, uint64_t acc) {
  while (n >= 16) {
    uint32_t w[4];
    memcpy(w, p, sizeof w);
    acc += (uint64_t)w[0] + w[1] + w[2] + w[3];
    p += 16;
    n -= 16;
  }
  while (n >= 4) {
    uint32_t w;
    memcpy(&w, p, sizeof w);
    acc += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t h;
    memcpy(&h, p, sizeof h);
    acc += h;
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    const uint8_t last[2] = {p[0], 0};  // an odd byte is padded with a zero byte after it
    uint16_t h;
    memcpy(&h, last, sizeof h);
    acc += h;
  }
  return acc;
}

static inline uint16_t csum_fold(uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffffu) + (acc >> 16);
  return (uint16_t)acc;
}

static inline uint16_t rd_be16(const uint8_t *p) { return (uint16_t)((uint16_t)p[0] << 8 | p[1]); }

static inline uint32_t rd_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void wr_be16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

// Sum of the pseudo-header (RFC 793 / RFC 768 for IPv4, RFC 8200 §8.1 for IPv6) for an L4 segment
// (header + payload) of l4_length bytes of protocol `proto` in the IP packet at `ip`.
static inline uint64_t csum_pseudo(const uint8_t *ip, int v6, uint8_t proto, uint32_t l4_length) {
  if (!v6) {
    const uint8_t tail[4] = {0, proto, (uint8_t)(l4_length >> 8), (uint8_t)l4_length};
    return csum_add(tail, sizeof tail, csum_add(ip + 12, 8, 0));
  }
  const uint8_t tail[8] = {(uint8_t)(l4_length >> 24), (uint8_t)(l4_length >> 16), (uint8_t)(l4_length >> 8),
                           (uint8_t)l4_length, 0, 0, 0, proto};
  return csum_add(tail, sizeof tail, csum_add(ip + 8, 32, 0));
}

// Whether the L4 checksum of ip[l3, n) verifies (the sum over it and its pseudo-header is -0).
static inline int csum_l4_ok(const uint8_t *ip, size_t n, int v6, uint32_t l3, uint8_t proto) {
  uint32_t l4 = (uint32_t)n - l3;
  return csum_fold(csum_add(ip + l3, l4, csum_pseudo(ip, v6, proto, l4))) == 0xffffu;
}

// Whether a 20-byte IPv4 header's checksum verifies.
static inline int csum_ipv4_ok(const uint8_t *ip) { return csum_fold(csum_add(ip, 20, 0)) == 0xffffu; }

// Rewrites a 20-byte IPv4 header's checksum after its fields changed.
static inline void csum_ipv4_set(uint8_t *ip) {
  ip[10] = ip[11] = 0;
  uint16_t c = (uint16_t)~csum_fold(csum_add(ip, 20, 0));
  memcpy(ip + 10, &c, 2);
}

#endif
