// The engine's side: attach(fd, ...) takes over a TUN descriptor the helper opened and handed over,
// and learns what it is from the kernel (TUNGETIFF, TUNGETVNETHDRSZ), never from the sender. Needs
// no access to /dev/net/tun and no capability. Allocates the read slab (read.c) up front, so a busy
// device never allocates per wake-up beyond the two JS objects it hands over.
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

// Linux 6.2's USO bits, missing from older userspace headers; their values are fixed.
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

// Learns what `fd` is from the kernel instead of trusting the sender: a TUN (not TAP) without
// packet information, its name, and whether reads and writes carry a virtio_net_hdr (and that it
// is the size gso.c writes). 0, or an errno value with *what naming the failing call.
static int describe_fd(int fd, char name[IFNAMSIZ], int *vnet, const char **what) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  *what = "ioctl(TUNGETIFF)";
  if (ioctl(fd, TUNGETIFF, &ifr) != 0) return errno == EBADFD ? ENODEV : errno;
  if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP)) != IFF_TUN || !(ifr.ifr_flags & IFF_NO_PI)) return EINVAL;
  *vnet = (ifr.ifr_flags & IFF_VNET_HDR) ? 1 : 0;
  if (*vnet) {
    int size = 0;
    *what = "ioctl(TUNGETVNETHDRSZ)";
    if (ioctl(fd, TUNGETVNETHDRSZ, &size) != 0) return errno;
    if (size != (int)sizeof(struct virtio_net_hdr)) return EINVAL;
  }
  memcpy(name, ifr.ifr_name, IFNAMSIZ);
  name[IFNAMSIZ - 1] = 0;
  return 0;
}

// Asks the kernel to hand reads over as TSO/USO super-packets with partial checksums (read.c cuts
// them), trying the largest set first: USO needs Linux 6.2 (older kernels answer EINVAL to bits
// they do not know), TSO without USO any kernel with IFF_VNET_HDR. TUN_F_TSO_ECN: CWR is kept on the
// first segment only (gso_read.c), as the kernel's own segmentation does. The setting is the
// device's, and the helper resets it to 0 whenever it opens the device (open.c). No capability is
// needed on an attached descriptor. Returns the flags granted, 0 when none were.
static unsigned enable_read_offload(int fd) {
  static const unsigned tries[] = {
      TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6,
      TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
  };
  for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tries[i]) == 0) return tries[i];
  }
  return 0;
}

// attach(fd, headroom, maxPackets, maxBytes, onRead(buf, bounds), onWritable(), onError(err)[,
// readOffload = true]) -> handle. Takes over `fd`, an attached TUN descriptor handed over by the
// helper: the handle closes it, and so does a failed attach. Needs no access to /dev/net/tun and no
// capability. readOffload false leaves the device's offloads as the helper set them (off).
napi_value js_attach(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "attach(fd, headroom, maxPackets, maxBytes, onRead, onWritable, onError)");
    return NULL;
  }
  uint32_t ufd, headroom, max_packets, max_bytes;
  if (!tun_get_u32(env, argv[0], 0, INT32_MAX, "fd", &ufd)) return NULL;
  int fd = (int)ufd;
  if (!tun_get_u32(env, argv[1], 0, MAX_HEADROOM, "headroom", &headroom) ||
      !tun_get_u32(env, argv[2], 1, MAX_BATCH_PACKETS, "maxPackets", &max_packets) ||
      !tun_get_u32(env, argv[3], 1, MAX_BATCH_BYTES, "maxBytes", &max_bytes))
    return NULL;
  for (int i = 4; i < 7; i++) {
    if (!tun_is_function(env, argv[i])) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "callbacks must be functions");
      return NULL;
    }
  }
  bool read_offload = true;
  if (argc >= 8 && !tun_get_bool(env, argv[7], true, "readOffload", &read_offload)) return NULL;
  char name[IFNAMSIZ];
  int vnet = 0, err;
  const char *what = "ioctl(TUNGETIFF)";
  if ((err = describe_fd(fd, name, &vnet, &what)) != 0) {
    // EBADF: not a descriptor at all, so nothing of ours to close.
    if (err != EBADF) close(fd);
    tun_throw_errno(env, err, what, "(the handed-over descriptor)");
    return NULL;
  }
  // uv_poll requires a non-blocking fd; the flag lives on the open file, which the helper set.
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || ((fl & O_NONBLOCK) == 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    err = errno;
    close(fd);
    tun_throw_errno(env, err, "fcntl", name);
    return NULL;
  }
  size_t name_len = strlen(name);
  unsigned rx_offload = vnet && read_offload ? enable_read_offload(fd) : 0;

  tun_t *t = calloc(1, sizeof *t);
  // Room past the caps for the last read: a whole MAX_PACKET, and the headers its segments repeat.
  // Pages never written are never touched, so the reserve costs address space, not memory.
  size_t slab_size = (size_t)max_bytes + headroom + MAX_PACKET +
                     (rx_offload ? (size_t)TUN_RX_MAX_SEGS * (headroom + GSO_READ_MAX_HEAD) : 0);
  size_t frames = (size_t)max_packets + TUN_RX_MAX_SEGS;
  uint8_t *slab = malloc(slab_size);
  uint32_t *bounds = malloc((frames + 1) * sizeof(uint32_t));
  uint8_t *thinned = malloc(frames);
  uv_loop_t *loop = NULL;
  if (t == NULL || slab == NULL || bounds == NULL || thinned == NULL) {
    free(t);
    free(slab);
    free(bounds);
    free(thinned);
    close(fd);
    tun_throw_errno(env, ENOMEM, "malloc", name);
    return NULL;
  }
  t->env = env;
  t->fd = fd;
  memcpy(t->name, name, name_len + 1);
  t->headroom = headroom;
  t->max_packets = max_packets;
  t->max_bytes = max_bytes;
  t->slab = slab;
  t->slab_size = slab_size;
  t->bounds = bounds;
  t->thinned = thinned;
  t->rx_offload = rx_offload;
  t->vnet = vnet;
  t->gso = vnet;
  t->gso_udp = vnet;

  int uverr = 0;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || (uverr = uv_poll_init(loop, &t->poll, fd)) != 0) {
    free(slab);
    free(bounds);
    free(thinned);
    free(t);
    close(fd);
    tun_throw_errno(env, uverr ? -uverr : EINVAL, "uv_poll_init", name);
    return NULL;
  }
  t->poll.data = t;

  napi_value resource_name, ext;
  if (napi_create_string_utf8(env, "CausewayTun", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_async_init(env, NULL, resource_name, &t->async_ctx) != napi_ok ||
      napi_create_reference(env, argv[4], 1, &t->on_read) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &t->on_writable) != napi_ok ||
      napi_create_reference(env, argv[6], 1, &t->on_error) != napi_ok ||
      napi_create_external(env, t, tun_finalize, NULL, &ext) != napi_ok) {
    // Unwind through the normal close path: it tolerates the half-built state (NULL refs).
    t->in_cleanup = 1;  // no hook registered yet
    t->finalized = 1;   // nothing in JS will ever own t
    tun_close(t);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, "ERR_NAPI", "could not set up the TUN handle");
    return NULL;
  }
  napi_add_env_cleanup_hook(env, tun_cleanup_hook, t);
  return ext;
}
