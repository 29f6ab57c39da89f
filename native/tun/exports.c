// The product API: what main/engine/tun/native-addon.ts types as TunAddon. Shared by the product
// addon (causeway_tun.c) and the test addon (test_addon.c), which adds its test hook to the same table.
#include "tun.h"

napi_value tun_define_exports(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openDevice", NULL, js_open_device, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attach", NULL, js_attach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"socketpair", NULL, js_socketpair, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendFd", NULL, js_send_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvFd", NULL, js_recv_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peerCredentials", NULL, js_peer_credentials, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFd", NULL, js_close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setReading", NULL, js_set_reading, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wantWritable", NULL, js_want_writable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gso", NULL, js_gso, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deviceName", NULL, js_device_name, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mtu", NULL, js_mtu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  napi_value max_packet;
  CHECK(env, napi_create_uint32(env, MAX_PACKET, &max_packet));
  CHECK(env, napi_set_named_property(env, exports, "MAX_PACKET", max_packet));
  return exports;
}
