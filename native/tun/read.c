// The read path. Each readable wake-up drains packets until EAGAIN or a cap (packets / bytes), so
// a busy TUN cannot starve the loop (uv_poll is level-triggered: what is left wakes us next
// iteration). Packets are read straight into a reused native slab laid out as
//   [headroom][packet 0][headroom][packet 1]...
// and handed to JS as ONE Buffer (one copy of exactly the bytes read) plus a Uint32Array of
// count+1 boundaries. Two allocations per wake-up instead of one per packet, and the headroom lets
// the pump write its SSTP/PPP header in front of every packet in place: the filled batch is then
// contiguous wire bytes for a single TLS write. External buffers are avoided on purpose: Electron's
// V8 memory cage forbids them.
//
// Reads with IFF_VNET_HDR carry a virtio_net_hdr. Offloads are off (open.c), so the kernel should
// never hand us a GSO packet or a partial checksum; should one appear, the checksum is completed
// and a GSO packet dropped (counted).
#include "tun.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void deliver(tun_t *t, uint32_t count, size_t bytes) {
  napi_env env = t->env;
  napi_value argv[2], ab;
  void *data;
  if (napi_create_buffer_copy(env, bytes, t->slab, NULL, &argv[0]) != napi_ok ||
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
  memcpy(data, t->bounds, (count + 1) * sizeof(uint32_t));
  tun_call_js(t, t->on_read, 2, argv);
}

void tun_drain(tun_t *t) {
  uint32_t n = 0;
  size_t pos = 0;
  int err = 0;
  t->rx_wakeups++;
  // pos < max_bytes keeps a whole MAX_PACKET (plus headroom) of slab free for the next read.
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
    if (t->vnet) {
      if ((size_t)r <= sizeof vh || vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        t->rx_dropped++;  // cannot happen with offloads off; a GSO packet would exceed the MTU anyway
        continue;
      }
      r -= (ssize_t)sizeof vh;
      if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
          gso_complete_checksum(packet, (size_t)r, le16toh(vh.csum_start), le16toh(vh.csum_offset)) != 0) {
        t->rx_dropped++;
        continue;
      }
    }
    memset(t->slab + pos, 0, t->headroom);
    t->bounds[n++] = (uint32_t)pos;
    pos += t->headroom + (size_t)r;
    t->rx_packets++;
    t->rx_bytes += (double)r;
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
