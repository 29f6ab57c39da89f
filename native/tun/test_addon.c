// The test addon, causeway_tun_test.node: the product API plus coalesce(), which shows the write
// plan gso.c makes for a list of packets without a device (test/unit/engine/tun/gso-merge.test.ts).
// binding.gyp links this file into the test target only, so the product addon never exports it.
#include "tun.h"

#include <endian.h>
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

NAPI_MODULE_INIT() {
  if (tun_define_exports(env, exports) == NULL) return NULL;
  napi_property_descriptor coalesce = {"coalesce", NULL, js_coalesce, NULL, NULL, NULL, napi_enumerable, NULL};
  CHECK(env, napi_define_properties(env, exports, 1, &coalesce));
  return exports;
}
