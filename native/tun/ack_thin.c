// See gso.h. ACK thinning inside one write: when a pure ACK is followed, right behind it in the same
// batch, by a pure ACK of the same TCP flow that acknowledges more, the first is not written.
//
// Why: in an upload the server's ACKs come back ~6 per TLS read burst, and every TUN write of one
// runs the local sender's tcp_ack synchronously (frees sent data, grows cwnd, sends more, wakes the
// application). The ACKs of one batch reach the kernel microseconds apart, from one write() call:
// nothing can happen between them but that processing, so the sender loses nothing it could have
// used when it sees only the last one. This is the "ACK filtering" of RFC 3449 §5.2.1 (a queue may
// drop an ACK that a later ACK of the same connection queued behind it supersedes), applied at the
// one place where it costs no timing information. RFC 3449's caveats, and how they are met:
//   - ACKs are cumulative (RFC 9293 §3.4): the later ACK acknowledges everything the earlier did,
//     as long as its ack number is strictly larger (modulo 2^32) and it carries the same window;
//   - the sender's cwnd growth: Linux counts the segments an ACK covers (appropriate byte counting,
//     RFC 3465), so one ACK for N segments grows cwnd as N ACKs do; the burst it may send is the
//     one the N back-to-back ACKs would have released within the same write;
//   - duplicate ACKs (RFC 5681 §2: same ack number, no data, same window) are how the sender learns
//     of loss (fast retransmit after three): an equal ack number is never thinned;
//   - SACK blocks (RFC 2018) and D-SACK say which segments arrived beyond the cumulative ack; a later
//     ACK's blocks do not repeat an earlier one's: an ACK with any option but NOP/EOL/timestamps is
//     never thinned (nor one after which the next has them);
//   - a window update (another window) is information of its own: windows must be equal;
//   - timestamps (RFC 7323) differ between the two: the sender takes fewer RTT samples (it would
//     have taken them within microseconds of each other) and PAWS sees the later, larger TSval;
//   - anything with data, SYN, FIN, RST, URG, PSH, ECE or CWR, other TOS/ECN bits, TTL, IP options
//     or extension headers, or a checksum that does not verify on the later ACK, is written as is.
#include "gso.h"

#include "csum.h"

#define TCP_FLAG_ACK 0x10u
#define TCPOPT_EOL 0u
#define TCPOPT_NOP 1u
#define TCPOPT_TIMESTAMP 8u

typedef struct {
  uint32_t l3;  // IP header bytes
  uint32_t l4;  // TCP header bytes (the whole rest: no payload)
  int v6;
} pure_ack_t;

// 1 when p[0, n) is a pure ACK (flags exactly ACK, no payload) in a plain IPv4/IPv6 header.
static int parse_pure_ack(const uint8_t *p, size_t n, pure_ack_t *a) {
  if (p == NULL || n < 20 + 20 || n > 40 + 60) return 0;
  if (p[0] == 0x45) {
    if (p[9] != IPPROTO_TCP_NUMBER || rd_be16(p + 2) != n || (p[6] & 0xbfu) != 0 || p[7] != 0) return 0;
    a->v6 = 0;
    a->l3 = 20;
  } else if ((p[0] >> 4) == 6) {
    if (n < 40 + 20 || p[6] != IPPROTO_TCP_NUMBER || (size_t)rd_be16(p + 4) + 40 != n) return 0;
    a->v6 = 1;
    a->l3 = 40;
  } else {
    return 0;
  }
  const uint8_t *t = p + a->l3;
  a->l4 = (uint32_t)(t[12] >> 4) * 4u;
  return a->l4 >= 20 && a->l3 + a->l4 == n && t[13] == TCP_FLAG_ACK && (t[12] & 0x0fu) == 0;
}

// Whether the option bytes of a and b are the same apart from timestamp values, and hold nothing
// but NOP, EOL and one timestamps option (a SACK block, or anything unknown, stops the thinning).
static int options_match(const uint8_t *oa, const uint8_t *ob, uint32_t n) {
  int timestamps = 0;
  for (uint32_t i = 0; i < n;) {
    uint8_t kind = oa[i];
    if (ob[i] != kind) return 0;
    if (kind == TCPOPT_EOL) return memcmp(oa + i, ob + i, n - i) == 0;  // the rest is padding
    if (kind == TCPOPT_NOP) {
      i++;
      continue;
    }
    if (kind != TCPOPT_TIMESTAMP || timestamps || n - i < 10 || oa[i + 1] != 10 || ob[i + 1] != 10) return 0;
    timestamps = 1;
    i += 10;  // kind, length, TSval, TSecr: the values may differ
  }
  return 1;
}

int ack_superseded(const gso_packet_t *a, const gso_packet_t *b) {
  pure_ack_t pa, pb;
  if (!parse_pure_ack(a->data, a->length, &pa) || !parse_pure_ack(b->data, b->length, &pb)) return 0;
  if (pa.v6 != pb.v6 || pa.l4 != pb.l4) return 0;
  const uint8_t *x = a->data, *y = b->data;
  if (!pa.v6) {
    // TOS (ECN bits included), DF, TTL, addresses.
    if (x[1] != y[1] || x[6] != y[6] || x[8] != y[8] || memcmp(x + 12, y + 12, 8) != 0) return 0;
  } else {
    // Version, traffic class, flow label; hop limit; addresses.
    if (memcmp(x, y, 4) != 0 || x[7] != y[7] || memcmp(x + 8, y + 8, 32) != 0) return 0;
  }
  const uint8_t *ta = x + pa.l3, *tb = y + pb.l3;
  if (memcmp(ta, tb, 8) != 0) return 0;           // ports, sequence number
  if (memcmp(ta + 12, tb + 12, 4) != 0) return 0;  // data offset, flags, window
  if (memcmp(ta + 18, tb + 18, 2) != 0) return 0;  // urgent pointer
  int32_t advance = (int32_t)(rd_be32(tb + 8) - rd_be32(ta + 8));
  if (advance <= 0) return 0;  // a duplicate ACK (or an older one): fast retransmit needs each
  if (!options_match(ta + 20, tb + 20, pa.l4 - 20)) return 0;
  // b stands for a only if the kernel will take b: a corrupt b must not cost the good a.
  if (!pb.v6 && !csum_ipv4_ok(y)) return 0;
  return csum_l4_ok(y, b->length, pb.v6, pb.l3, IPPROTO_TCP_NUMBER);
}
