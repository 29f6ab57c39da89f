// The write path: all packets of one JS call. With IFF_VNET_HDR (the default when the kernel
// grants it), runs of in-order TCP segments of one flow (gso.c), or of same-sized UDP datagrams of
// one flow (gso_udp.c), are merged into one GSO packet: the kernel then runs its receive path once
// per ~64 KB instead of once per packet. A pure ACK that the next packet of the batch supersedes is
// left out (ack_thin.c), with or without IFF_VNET_HDR. Everything else is written one packet per
// write(2), behind a zeroed virtio_net_hdr with IFF_VNET_HDR. EAGAIN stops the batch
// and is returned as a short count, never thrown; the caller can ask to be told when the fd is
// writable again (wantWritable).
#include "tun.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

// Reads packets[index] into *out. 0 and a pending TypeError when it is not a Uint8Array.
static int packet_at(napi_env env, napi_value packets, uint32_t index, gso_packet_t *out) {
  napi_value el;
  bool is_ta = false;
  napi_typedarray_type type = napi_int8_array;
  size_t n = 0;
  void *data = NULL;
  if (napi_get_element(env, packets, index, &el) != napi_ok || napi_is_typedarray(env, el, &is_ta) != napi_ok) return 0;
  if (is_ta && napi_get_typedarray_info(env, el, &type, &n, &data, NULL, NULL) != napi_ok) return 0;
  if (!is_ta || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "each packet must be a Buffer or Uint8Array");
    return 0;
  }
  out->data = data;
  out->length = n;
  return 1;
}

int tun_window_fill(napi_env env, napi_value packets, uint32_t length, tun_window_t *w) {
  while (w->count < GSO_MAX_SEGS && w->next < length) {
    if (!packet_at(env, packets, w->next, &w->items[w->count])) return 0;
    w->count++;
    w->next++;
  }
  return 1;
}

void tun_window_consume(tun_window_t *w, uint32_t k) {
  memmove(w->items, w->items + k, (size_t)(w->count - k) * sizeof w->items[0]);
  w->count -= k;
}

uint32_t tun_plan_step(const tun_window_t *w, unsigned allow, gso_plan_t *plan) {
  if (w->count >= 2 && ack_superseded(&w->items[0], &w->items[1])) return 0;
  if (allow != 0) return gso_plan(w->items, w->count, allow, plan);
  gso_plan_single(&w->items[0], plan);
  return 1;
}

// Validates (packets, start) and fills the first window. Returns 0 with an exception pending.
int tun_window_open(napi_env env, napi_value packets, napi_value start, uint32_t *length, tun_window_t *w) {
  bool is_array = false;
  if (napi_is_array(env, packets, &is_array) != napi_ok) return 0;
  if (!is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "packets must be an array");
    return 0;
  }
  if (napi_get_array_length(env, packets, length) != napi_ok) return 0;
  w->count = 0;
  if (!tun_get_u32(env, start, 0, *length, "start", &w->next)) return 0;
  return tun_window_fill(env, packets, *length, w);
}

// wantWritable(handle): one-shot; onWritable() fires once the fd accepts writes again.
napi_value js_want_writable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL || t->closed) return NULL;
  t->want_writable = 1;
  int r = tun_update_poll(t);
  if (r != 0) tun_throw_errno(env, -r, "uv_poll_start", t->name);
  return NULL;
}

// write(handle, packets: Uint8Array[], start) -> index after the last packet consumed.
// A packet is consumed when written (alone or merged into a GSO packet) or dropped (the kernel
// refused it: malformed, no memory); EAGAIN stops early. Only errors meaning the device is gone
// are thrown.
napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL) return NULL;
  if (t->closed) {
    tun_throw_errno(env, EBADF, "write", t->name);
    return NULL;
  }
  uint32_t len = 0;
  tun_window_t w;
  gso_plan_t plan;  // ~1.2 KB: iovecs for up to GSO_MAX_SEGS payloads
  if (!tun_window_open(env, argv[1], argv[2], &len, &w)) {
    tun_throw_pending_or(env, "could not read the packets");
    return NULL;
  }
  while (w.count > 0) {
    ssize_t r;
    unsigned allow = t->vnet ? (t->gso ? GSO_ALLOW_TCP : 0u) | (t->gso_udp ? GSO_ALLOW_UDP : 0u) : 0u;
    uint32_t k = tun_plan_step(&w, allow, &plan);
    size_t in_bytes = 0;
    if (k == 0) {
      t->tx_acks_thinned++;
      k = 1;
      goto consumed;
    }
    if (t->vnet) {
      do {
        r = writev(t->fd, plan.iov, (int)plan.iov_count);
      } while (r < 0 && errno == EINTR);
    } else {
      do {
        r = write(t->fd, w.items[0].data, w.items[0].length);
      } while (r < 0 && errno == EINTR);
    }
    for (uint32_t j = 0; j < k; j++) in_bytes += w.items[j].length;
    if (r < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        t->tx_eagain++;
        break;
      }
      if (err == EBADF || err == EBADFD || err == ENXIO || err == ENODEV) {
        tun_throw_errno(env, err, "write", t->name);
        return NULL;
      }
      if (k > 1 && err == EINVAL) {
        // The kernel refused the merged packet (a check the planner does not know about, or a
        // kernel before 6.2 for UDP): stop merging that kind on this device and write these
        // packets one by one, which it has always taken.
        if (plan.vnet.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4) {
          t->gso_udp = 0;
        } else {
          t->gso = 0;
        }
        continue;
      }
      t->tx_dropped += k;  // EINVAL (not IPv4/IPv6), EIO (link down), ENOMEM, ...: IP is lossy
    } else {
      t->tx_packets += k;
      t->tx_bytes += (double)in_bytes;
      if (k > 1) {
        t->tx_gso_packets++;
        t->tx_gso_segments += k;
        if (plan.vnet.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4) {
          t->tx_udp_gso_packets++;
          t->tx_udp_gso_segments += k;
        }
      }
    }
  consumed:
    tun_window_consume(&w, k);
    if (!tun_window_fill(env, argv[1], len, &w)) {
      tun_throw_pending_or(env, "could not read the packets");
      return NULL;
    }
  }
  CHECK(env, napi_create_uint32(env, w.next - w.count, &result));
  return result;
}

// coalesce(packets: Uint8Array[], start) -> { consumed, packet, flags, gsoType, hdrLen, gsoSize,
// csumStart, csumOffset }: what write() would hand the kernel for packets[start...] as its next
