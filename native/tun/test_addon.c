// The test addon, causeway_tun_test.node: the product API plus coalesce(), which shows the write
// plan gso.c makes for a list of packets without a device (test/unit/engine/tun/gso-merge.test.ts),
// and segmentRead(), what read.c makes of one packet read behind a virtio_net_hdr (gso_read.c).
// binding.gyp links this file into the test target only, so the product addon never exports it.
#include "tun.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

// coalesce(packets: Uint8Array[], start) -> { consumed, thinned, packet, flags, gsoType, hdrLen,
// gsoSize, csumStart, csumOffset }: what write() would hand the kernel for packets[start...] as its
// next write on a device that merges TCP and UDP (the virtio_net_hdr fields and the IP bytes after
// it), or thinned: true (consumed 1, packet = packets[start], zeroed fields) when write() would
// leave that ACK out. For tests: no device involved.
static napi_value js_coalesce(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t len = 0;
  tun_window_t w;
  gso_plan_t plan;
  if (!tun_window_open(env, argv[0], argv[1], &len, &w)) {
    tun_throw_pending_or(env, "could not read the packets");
    return NULL;
  }
  if (w.count == 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "no packet at start");
    return NULL;
  }
  int thinned = tun_plan_step(&w, GSO_ALLOW_TCP | GSO_ALLOW_UDP, &plan) == 0;
  if (thinned) gso_plan_single(&w.items[0], &plan);
  void *out = NULL;
  CHECK(env, napi_create_object(env, &obj));
  CHECK(env, napi_create_buffer(env, plan.length, &out, &v));
  size_t pos = 0;
  for (uint32_t i = 1; i < plan.iov_count; i++) {
    if (plan.iov[i].iov_len > plan.length - pos) break;  // cannot happen: plan.length is their sum
    if (plan.iov[i].iov_len > 0) memcpy((uint8_t *)out + pos, plan.iov[i].iov_base, plan.iov[i].iov_len);
    pos += plan.iov[i].iov_len;
  }
  CHECK(env, napi_set_named_property(env, obj, "packet", v));
  CHECK(env, napi_get_boolean(env, thinned, &v));
  CHECK(env, napi_set_named_property(env, obj, "thinned", v));
#define FIELD(value, key)                                  \
  CHECK(env, napi_create_uint32(env, (value), &v));        \
  CHECK(env, napi_set_named_property(env, obj, key, v));
  FIELD(plan.count, "consumed")
  FIELD(plan.vnet.flags, "flags")
  FIELD(plan.vnet.gso_type, "gsoType")
  FIELD(le16toh(plan.vnet.hdr_len), "hdrLen")
  FIELD(le16toh(plan.vnet.gso_size), "gsoSize")
  FIELD(le16toh(plan.vnet.csum_start), "csumStart")
  FIELD(le16toh(plan.vnet.csum_offset), "csumOffset")
#undef FIELD
  return obj;
}

static int u32_field(napi_env env, napi_value obj, const char *key, uint32_t max, uint32_t *out) {
  napi_value v;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return 0;
  return tun_get_u32(env, v, 0, max, key, out);
}

// segmentRead(packet: Uint8Array, vnet: { flags, gsoType, gsoSize, csumStart, csumOffset }, mtu,
// headroom) -> { buffer, bounds } laid out as read.c hands a batch to JS (packet-batch.ts), or null
// when read.c would drop the packet. For tests: no device involved.
static napi_value js_segment_read(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], obj, v, ab;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_ta = false;
  napi_typedarray_type type = napi_int8_array;
  size_t n = 0;
  void *data = NULL;
  if (argc < 4 || napi_is_typedarray(env, argv[0], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[0], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      n > MAX_PACKET) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "segmentRead(packet: Uint8Array, vnet, mtu, headroom)");
    return NULL;
  }
  uint32_t flags, gso_type, gso_size, csum_start, csum_offset, mtu, headroom;
  if (!u32_field(env, argv[1], "flags", 255, &flags) || !u32_field(env, argv[1], "gsoType", 255, &gso_type) ||
      !u32_field(env, argv[1], "gsoSize", 65535, &gso_size) ||
      !u32_field(env, argv[1], "csumStart", 65535, &csum_start) ||
      !u32_field(env, argv[1], "csumOffset", 65535, &csum_offset) ||
      !tun_get_u32(env, argv[2], 0, 65535, "mtu", &mtu) ||
      !tun_get_u32(env, argv[3], 0, MAX_HEADROOM, "headroom", &headroom))
    return NULL;
  struct virtio_net_hdr vh = {.flags = (uint8_t)flags, .gso_type = (uint8_t)gso_type,
                              .gso_size = htole16((uint16_t)gso_size), .csum_start = htole16((uint16_t)csum_start),
                              .csum_offset = htole16((uint16_t)csum_offset)};
  // The product's slab shape for a read at position 0 of a batch.
  size_t capacity = headroom + MAX_PACKET + (size_t)TUN_RX_MAX_SEGS * (headroom + GSO_READ_MAX_HEAD);
  uint8_t *slab = malloc(capacity);
  uint32_t *bounds = malloc((TUN_RX_MAX_SEGS + 1) * sizeof(uint32_t));
  if (slab == NULL || bounds == NULL) {
    free(slab);
    free(bounds);
    napi_throw_error(env, "ENOMEM", "segmentRead");
    return NULL;
  }
  memset(slab, 0xa5, capacity);  // headrooms must come out zeroed
  memcpy(slab + headroom, data, n);
  size_t end = 0;
  uint32_t k = gso_read_segment(slab, capacity, 0, headroom, n, &vh, mtu, TUN_RX_MAX_SEGS, bounds, &end);
  bounds[k] = (uint32_t)end;
  napi_value result = NULL;
  void *out = NULL;
  if (k == 0) {
    if (napi_get_null(env, &result) != napi_ok) result = NULL;
  } else if (napi_create_object(env, &obj) == napi_ok &&
             napi_create_buffer_copy(env, end, slab, NULL, &v) == napi_ok &&
             napi_set_named_property(env, obj, "buffer", v) == napi_ok &&
             napi_create_arraybuffer(env, (k + 1) * sizeof(uint32_t), &out, &ab) == napi_ok &&
             napi_create_typedarray(env, napi_uint32_array, k + 1, ab, 0, &v) == napi_ok &&
             napi_set_named_property(env, obj, "bounds", v) == napi_ok) {
    memcpy(out, bounds, (k + 1) * sizeof(uint32_t));
    result = obj;
  }
  free(slab);
  free(bounds);
  if (result == NULL) tun_throw_pending_or(env, "segmentRead");
  return result;
}

NAPI_MODULE_INIT() {
  if (tun_define_exports(env, exports) == NULL) return NULL;
  napi_property_descriptor hooks[] = {
      {"coalesce", NULL, js_coalesce, NULL, NULL, NULL, napi_enumerable, NULL},
      {"segmentRead", NULL, js_segment_read, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, 2, hooks));
  return exports;
}
