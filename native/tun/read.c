// The read path. Each readable wake-up drains packets until EAGAIN or a cap (packets / bytes), so
// a busy TUN cannot starve the loop (uv_poll is level-triggered: what is left wakes us next
// iteration). Packets are read straight into a reused native slab laid out as
//   [headroom][packet 0][headroom][packet 1]...
// and handed to JS as ONE Buffer (one copy of exactly the bytes kept) plus a Uint32Array of
// count+1 boundaries. Two allocations per wake-up instead of one per packet, and the headroom lets
// the pump write its SSTP/PPP header in front of every packet in place: the filled batch is then
// contiguous wire bytes for a single TLS write. External buffers are avoided on purpose: Electron's
// V8 memory cage forbids them.
//
// Reads with IFF_VNET_HDR carry a virtio_net_hdr. With the read offloads on (attach.c) a packet may
// be a TSO/USO super-packet, cut here into MTU-sized segments in the slab (gso_read.c), or carry a
// partial checksum, completed here: JS only ever sees plain IP packets, as without offloads. The
// slab and bounds have room for one super-packet's segments past the caps (attach.c).
//
// A pure ACK that the next packet of the burst supersedes (ack_thin.c's rules, the same as on
// write) is left out of the Buffer: during a download the local TCP receiver's ACKs queue on the
// TUN while we are busy, and each one costs the server a whole packet to take apart.
#include "tun.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

// Marks (t->thinned[i]) every pure ACK that the packet after it supersedes. Returns the packets
// kept; *bytes drops by the frames left out.
static uint32_t thin_acks(tun_t *t, uint32_t n, size_t *bytes) {
  uint32_t kept = n;
  for (uint32_t i = 0; i + 1 < n; i++) {
    gso_packet_t a = {t->slab + t->bounds[i] + t->headroom, t->bounds[i + 1] - t->bounds[i] - t->headroom};
    gso_packet_t b = {t->slab + t->bounds[i + 1] + t->headroom, t->bounds[i + 2] - t->bounds[i + 1] - t->headroom};
    if (!ack_superseded(&a, &b)) continue;
    *bytes -= t->bounds[i + 1] - t->bounds[i];
    t->thinned[i] = 1;
    kept--;
  }
  return kept;
}

static void deliver(tun_t *t, uint32_t n, size_t all_bytes) {
  napi_env env = t->env;
  napi_value argv[2], ab;
  void *data, *out;
  size_t bytes = all_bytes;
  memset(t->thinned, 0, n);
  uint32_t count = thin_acks(t, n, &bytes);
  t->rx_acks_thinned += n - count;
  t->rx_packets += count;
  t->rx_bytes += (double)(bytes - (size_t)count * t->headroom);
  if (napi_create_buffer(env, bytes, &out, &argv[0]) != napi_ok ||
      napi_create_arraybuffer(env, (count + 1) * sizeof(uint32_t), &data, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_uint32_array, count + 1, ab, 0, &argv[1]) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    napi_value exc;
    if (pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok) {
      tun_report_error(t, exc);
    } else {
      tun_report_error(t, tun_errno_error(env, ENOMEM, "read", "(allocating the batch)"));
    }
    return;
  }
  // Copy the kept frames, consecutive runs at once, and number their new boundaries.
  uint32_t *nb = data, k = 0;
  size_t at = 0;
  for (uint32_t i = 0; i < n;) {
    if (t->thinned[i]) {
      i++;
      continue;
    }
    uint32_t j = i;
    while (j < n && !t->thinned[j]) nb[k++] = (uint32_t)(at + t->bounds[j++] - t->bounds[i]);
    size_t run = t->bounds[j] - t->bounds[i];
    memcpy((uint8_t *)out + at, t->slab + t->bounds[i], run);
    at += run;
    i = j;
  }
  nb[k] = (uint32_t)at;
  tun_call_js(t, t->on_read, 2, argv);
}

void tun_drain(tun_t *t) {
  uint32_t n = 0;
  size_t pos = 0;
  int err = 0;
  uint32_t mtu = 0;  // asked of the kernel at the first super-packet of this wake-up
  t->rx_wakeups++;
  // pos < max_bytes keeps a whole MAX_PACKET (plus headroom, plus its segments' headers) of slab
  // free for the next read; n < max_packets, TUN_RX_MAX_SEGS bounds for its segments.
  while (n < t->max_packets && pos < t->max_bytes) {
    uint8_t *packet = t->slab + pos + t->headroom;
    ssize_t r;
    struct virtio_net_hdr vh;
    if (t->vnet) {
      struct iovec iov[2] = {{&vh, sizeof vh}, {packet, MAX_PACKET}};
      r = readv(t->fd, iov, 2);
    } else {
      r = read(t->fd, packet, MAX_PACKET);
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    if (r == 0) break;
    if (!t->vnet) {
      memset(t->slab + pos, 0, t->headroom);
      t->bounds[n++] = (uint32_t)pos;
      pos += t->headroom + (size_t)r;
      continue;
    }
    if ((size_t)r <= sizeof vh) {
      t->rx_dropped++;
      continue;
    }
    r -= (ssize_t)sizeof vh;
    if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE && mtu == 0) {
      int m = tun_kernel_mtu(t->name);
      mtu = m > 0 ? (uint32_t)m : 1u;  // 1: unknown, cut at gso_size (gso_read.c ignores an MTU below the headers)
    }
    size_t end = 0;
    uint32_t k = gso_read_segment(t->slab, t->slab_size, pos, t->headroom, (size_t)r, &vh, mtu,
                                  t->max_packets + TUN_RX_MAX_SEGS - n, t->bounds + n, &end);
    if (k == 0) {
      t->rx_dropped++;
      continue;
    }
    if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
      t->rx_gso_packets++;
      t->rx_gso_segments += k;
    }
    n += k;
    pos = end;
  }
  t->bounds[n] = (uint32_t)pos;

  napi_handle_scope scope;
  if (napi_open_handle_scope(t->env, &scope) != napi_ok) return;
  if (n > 0) deliver(t, n, pos);
  // The callback may have closed the device; t stays valid until on_closed, which runs later.
  if (err != 0 && !t->closed) tun_report_error(t, tun_errno_error(t->env, err, "read", t->name));
  napi_close_handle_scope(t->env, scope);
}

// setReading(handle, on): reading starts paused so no packet arrives before a handler exists.
napi_value js_set_reading(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL) return NULL;
  bool on = false;
  CHECK(env, napi_get_value_bool(env, argv[1], &on));
  if (t->closed) return NULL;
  t->reading = on ? 1 : 0;
  int r = tun_update_poll(t);
  if (r != 0) tun_throw_errno(env, -r, "uv_poll_start", t->name);
  return NULL;
}
