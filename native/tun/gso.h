// Userspace GRO for TUN writes (and, for reads, the segmentation of the kernel's TSO/USO packets:
// gso_read.c): runs of in-order TCP segments of one flow (gso.c), or of equal-sized
// UDP datagrams of one flow (gso_udp.c), become one GSO packet; and superseded pure ACKs of one TCP
// flow are left out (ack_thin.c).
//
// Pure C, no Node-API, no I/O: gso_plan() only reads the packets it is given and describes the
// write (a virtio_net_hdr plus an iovec list) so the addon can writev() it and the tests can look
// at exactly the bytes that would have been written.
#ifndef CAUSEWAY_GSO_H
#define CAUSEWAY_GSO_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

// Segments merged into one GSO packet at most (the kernel's own GRO stops at 64 too).
#define GSO_MAX_SEGS 64u
// An IPv4 total length / IPv6 payload length is 16 bits: the merged packet stays within 64 KB.
#define GSO_MAX_LENGTH 65535u
// Older userspace headers (Linux < 6.2) lack the UDP segmentation type; the kernel's value is fixed.
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

// What gso_plan may merge (a device stops merging a kind the kernel refused).
#define GSO_ALLOW_TCP 1u
#define GSO_ALLOW_UDP 2u

// Largest IP + TCP header: IPv6 (40, no extension headers) + TCP with 40 bytes of options.
#define GSO_MAX_HEAD (40u + 60u)

typedef struct {
  const uint8_t *data;
  size_t length;
} gso_packet_t;

typedef struct {
  // Fields little-endian: the addon sets TUNSETVNETLE so this holds on every host.
  struct virtio_net_hdr vnet;
  // The merged packet's IP + TCP/UDP headers: the first packet's, with lengths, flags, checksums fixed.
  uint8_t head[GSO_MAX_HEAD];
  // iov[0] = vnet, then either the whole packet, or head + every segment's payload.
  struct iovec iov[2 + GSO_MAX_SEGS];
  uint32_t iov_count;
  // Packets of the input this write stands for (1 = written as is).
  uint32_t count;
  // IP bytes written (the super-packet's length, or the single packet's).
  size_t length;
} gso_plan_t;

// Plans the write of packets[0] and, when they can be merged with it, of the following ones
// (n >= 1), merging only the kinds in `allow` (GSO_ALLOW_*). Returns plan->count: 1 means
// packets[0] goes as is behind a zeroed virtio_net_hdr; more, a GSO packet (plan->vnet.gso_type).
uint32_t gso_plan(const gso_packet_t *packets, uint32_t n, unsigned allow, gso_plan_t *plan);
// The same for one protocol: packets[0] is expected to be TCP (gso.c) or UDP (gso_udp.c).
uint32_t gso_plan_tcp(const gso_packet_t *packets, uint32_t n, gso_plan_t *plan);
uint32_t gso_plan_udp(const gso_packet_t *packets, uint32_t n, gso_plan_t *plan);

// Whether packet a is a pure ACK that packet b, right behind it in the same write, supersedes, so
// a need not be written (ack_thin.c says when and why that is safe).
int ack_superseded(const gso_packet_t *a, const gso_packet_t *b);

// packets[0] as is, behind a zeroed virtio_net_hdr (GSO off, or a retry after the kernel refused a merge).
void gso_plan_single(const gso_packet_t *packet, gso_plan_t *plan);

// A packet read with VIRTIO_NET_HDR_F_NEEDS_CSUM: computes the checksum over [start, length) and
// stores it at start + offset. Returns 0 when done, -1 when start/offset lie outside the packet.
int gso_complete_checksum(uint8_t *packet, size_t length, uint32_t start, uint32_t offset);

// ---- reads (gso_read.c) ----------------------------------------------------------------------------

// Largest IP + TCP/UDP header a read super-packet may have: IPv4 with options (60) + TCP (60).
#define GSO_READ_MAX_HEAD (60u + 60u)

// One packet read behind virtio_net_hdr `vh` into slab[pos + headroom, + length): completes a
// partial checksum, or cuts a GSO packet into segments that fit `mtu` (0: unknown, keep gso_size),
// laid out as [headroom][segment][headroom][segment]... from pos, headrooms zeroed, in place.
// Writes each frame's start to bounds[0..count), the end of the last to *end, and returns count;
// 0 to drop the packet (malformed, more than max_segs segments, or past `capacity` bytes of slab).
uint32_t gso_read_segment(uint8_t *slab, size_t capacity, size_t pos, uint32_t headroom, size_t length,
                          const struct virtio_net_hdr *vh, uint32_t mtu, uint32_t max_segs, uint32_t *bounds,
                          size_t *end);

#endif
