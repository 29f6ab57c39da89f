// Questions about an attached handle: whether writes merge TCP segments, the interface name, its
// MTU (asked of the kernel each time), and the read/write counters.
#include "tun.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

// gso(handle) -> whether writes currently merge TCP segments (IFF_VNET_HDR granted, not refused).
napi_value js_gso(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL) return NULL;
  CHECK(env, napi_get_boolean(env, !t->closed && t->gso, &result));
  return result;
}

// deviceName(handle) -> the interface name the kernel reported when the descriptor was attached.
napi_value js_device_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL) return NULL;
  CHECK(env, napi_create_string_utf8(env, t->name, NAPI_AUTO_LENGTH, &result));
  return result;
}

int tun_kernel_mtu(const char *name) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
  int r = ioctl(s, SIOCGIFMTU, &ifr);
  int err = errno;
  close(s);
  return r < 0 ? -err : ifr.ifr_mtu;
}

// mtu(handle) -> the device's current MTU, asked of the kernel each time.
napi_value js_mtu(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL) return NULL;
  int mtu = tun_kernel_mtu(t->name);
  if (mtu < 0) {
    tun_throw_errno(env, -mtu, mtu == -EAFNOSUPPORT ? "socket" : "ioctl(SIOCGIFMTU)", t->name);
    return NULL;
  }
  CHECK(env, napi_create_int32(env, mtu, &result));
  return result;
}

napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = tun_get_handle(env, argv[0]);
  if (t == NULL) return NULL;
  CHECK(env, napi_create_object(env, &obj));
#define STAT(field, key)                                   \
  CHECK(env, napi_create_double(env, t->field, &v));       \
  CHECK(env, napi_set_named_property(env, obj, key, v));
  STAT(rx_packets, "rxPackets")
  STAT(rx_bytes, "rxBytes")
  STAT(rx_wakeups, "rxWakeups")
  STAT(rx_dropped, "rxDropped")
  STAT(tx_packets, "txPackets")
  STAT(tx_bytes, "txBytes")
  STAT(tx_dropped, "txDropped")
  STAT(tx_eagain, "txEagain")
  STAT(tx_gso_packets, "txGsoPackets")
  STAT(tx_gso_segments, "txGsoSegments")
  STAT(tx_udp_gso_packets, "txUdpGsoPackets")
  STAT(tx_udp_gso_segments, "txUdpGsoSegments")
  STAT(tx_acks_thinned, "txAcksThinned")
  STAT(rx_gso_packets, "rxGsoPackets")
  STAT(rx_gso_segments, "rxGsoSegments")
  STAT(rx_acks_thinned, "rxAcksThinned")
#undef STAT
  return obj;
}
