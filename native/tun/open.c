// The privileged helper's side: open /dev/net/tun and attach to an existing TUN (TUNSETIFF), with
// IFF_VNET_HDR when the kernel grants it.
//
// With IFF_VNET_HDR every read and write carries a virtio_net_hdr. TUNSETOFFLOAD is set to 0 here,
// so the kernel never hands us GSO packets or partial checksums (the device advertises no
// offloads); the read path (read.c) still completes a partial checksum and drops a GSO packet
// (counted) should one appear.
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

// Opens /dev/net/tun and attaches to `name`. With vnet, asks for IFF_VNET_HDR and pins what that
// implies on the device, whose settings outlive us (it is persistent): a 10-byte header, little-endian
// fields (so gso.c need not care about the host), and no offloads, so reads stay plain packets.
// Returns the fd, or -1 with *err and *what naming the failing call.
static int open_device(const char *name, size_t name_len, int vnet, int *err, const char **what) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *err = errno;
    *what = "open";
    return -1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  memcpy(ifr.ifr_name, name, name_len);
  int hdr_size = (int)sizeof(struct virtio_net_hdr), little = 1;
  *what = "ioctl(TUNSETIFF)";
  int ok = ioctl(fd, TUNSETIFF, &ifr) == 0;
  if (ok && vnet) {
    *what = "ioctl(TUNSETVNETHDRSZ)";
    ok = ioctl(fd, TUNSETVNETHDRSZ, &hdr_size) == 0;
  }
  if (ok && vnet) {
    *what = "ioctl(TUNSETVNETLE)";
    // Little-endian hosts (x86, arm64) use little-endian headers anyway; only big-endian ones need it.
    ok = ioctl(fd, TUNSETVNETLE, &little) == 0 || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  }
  if (ok && vnet) {
    *what = "ioctl(TUNSETOFFLOAD)";
    ok = ioctl(fd, TUNSETOFFLOAD, 0UL) == 0;
  }
  if (!ok) {
    *err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

// openDevice(name[, offload]) -> { fd, vnet }. The helper's half: needs access to /dev/net/tun (and,
// for a device it does not own, CAP_NET_ADMIN). offload (default true): IFF_VNET_HDR, falling back
// to plain packets when the kernel refuses it. The fd is close-on-exec and non-blocking; it is
// meant to be handed over (sendFd) and closed here.
napi_value js_open_device(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "openDevice(name[, offload])");
    return NULL;
  }
  bool offload = true;
  if (argc >= 2 && !tun_get_bool(env, argv[1], true, "offload", &offload)) return NULL;
  char name[IFNAMSIZ + 1];
  size_t name_len = 0;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len) != napi_ok || name_len == 0 ||
      name_len >= IFNAMSIZ || strlen(name) != name_len) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "name must be 1..15 bytes");
    return NULL;
  }
  // As root, TUNSETIFF would create a device under a free name: only attach to one that exists.
  if (if_nametoindex(name) == 0) {
    tun_throw_errno(env, ENODEV, "if_nametoindex", name);
    return NULL;
  }
  int err = 0, vnet = offload ? 1 : 0;
  const char *what = "open";
  int fd = open_device(name, name_len, vnet, &err, &what);
  if (fd < 0 && vnet) {
    // IFF_VNET_HDR or one of its settings refused (old or unusual kernel): plain packets still work.
    vnet = 0;
    fd = open_device(name, name_len, 0, &err, &what);
  }
  if (fd < 0) {
    tun_throw_errno(env, err, what, strcmp(what, "open") == 0 ? "/dev/net/tun" : name);
    return NULL;
  }
  if (napi_create_object(env, &obj) != napi_ok || napi_create_int32(env, fd, &v) != napi_ok ||
      napi_set_named_property(env, obj, "fd", v) != napi_ok || napi_get_boolean(env, vnet, &v) != napi_ok ||
      napi_set_named_property(env, obj, "vnet", v) != napi_ok) {
    close(fd);
    tun_throw_pending_or(env, "could not return the device");
    return NULL;
  }
  return obj;
}
