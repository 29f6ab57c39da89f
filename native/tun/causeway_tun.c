// Linux TUN devices for both halves of Causeway. The privileged helper opens the device
// (openDevice) and hands the descriptor to the engine over a Unix socket (sendFd/recvFd, fdpass.c,
// checked with peerCredentials); the engine attaches to that descriptor (attach) and moves packets
// between it and JavaScript. The engine never opens /dev/net/tun, whose mode is 0600 on some machines.
//
// Node-API only (NAPI_VERSION 8), so one build serves Node and Electron. No libuv threadpool:
// the fd is non-blocking and watched with uv_poll on the JS thread's loop.
//
// Reads: each readable wake-up drains packets until EAGAIN or a cap (packets / bytes), so a busy
// TUN cannot starve the loop (uv_poll is level-triggered: what is left wakes us next iteration).
// Packets are read straight into a reused native slab laid out as
//   [headroom][packet 0][headroom][packet 1]...
// and handed to JS as ONE Buffer (one copy of exactly the bytes read) plus a Uint32Array of
// count+1 boundaries. Two allocations per wake-up instead of one per packet, and the headroom lets
// the pump write its SSTP/PPP header in front of every packet in place: the filled batch is then
// contiguous wire bytes for a single TLS write. External buffers are avoided on purpose: Electron's
// V8 memory cage forbids them.
//
// Writes: all packets of one JS call. With IFF_VNET_HDR (the default when the kernel grants it),
// runs of in-order TCP segments of one flow are merged into one GSO packet (gso.c): the kernel then
// runs its receive path once per ~64 KB instead of once per segment. Everything else is written one
// packet per write(2) behind a zeroed virtio_net_hdr. EAGAIN stops the batch and is returned as a
// short count, never thrown; the caller can ask to be told when the fd is writable again.
//
// Reads with IFF_VNET_HDR carry a virtio_net_hdr too. TUNSETOFFLOAD is set to 0 on open, so the
// kernel never hands us GSO packets or partial checksums (the device advertises no offloads); the
// read path still completes a partial checksum and drops a GSO packet (counted) should one appear.

#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fdpass.h"
#include "gso.h"

#define MAX_PACKET 65535u
#define MAX_HEADROOM 256u
#define MAX_BATCH_PACKETS 4096u
#define MAX_BATCH_BYTES (16u * 1024u * 1024u)

typedef struct {
  napi_env env;
  int fd;
  char name[IFNAMSIZ];
  uv_poll_t poll;
  int poll_events;    // events uv_poll is currently started with (0 = stopped)
  int reading;        // JS wants packets
  int want_writable;  // JS asked to be told when writes would not block
  int closed;         // fd closed, poll stopped, uv_close requested
  int close_done;     // uv_close callback ran: the poll handle memory is ours again
  int finalized;      // the JS external was collected
  int in_cleanup;     // closing from the env cleanup hook
  napi_ref on_read;
  napi_ref on_writable;
  napi_ref on_error;
  napi_async_context async_ctx;
  uint32_t headroom;
  uint32_t max_packets;
  uint32_t max_bytes;
  uint8_t *slab;
  uint32_t *bounds;
  int vnet;  // attached with IFF_VNET_HDR: every read and write starts with a virtio_net_hdr
  int gso;   // merge TCP segments on write (vnet, and the kernel has not refused a merged packet)
  // Counters for the benchmark and for diagnosing drops; never reset.
  double rx_packets, rx_bytes, rx_wakeups, rx_dropped, tx_packets, tx_bytes, tx_dropped, tx_eagain;
  double tx_gso_packets, tx_gso_segments;
} tun_t;

// ---- errors ------------------------------------------------------------------------------------

static const char *errno_name(int err) {
  switch (err) {
    case EBADFD: return "EBADFD";  // libuv has no name for it; the kernel uses it for a detached TUN
    default: break;
  }
  const char *n = uv_err_name(-err);
  return (n != NULL && strncmp(n, "Unknown", 7) != 0) ? n : "EUNKNOWN";
}

// A JS Error shaped like Node's system errors: message, code, errno (negative), syscall.
static napi_value errno_error(napi_env env, int err, const char *syscall, const char *detail) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s %s%s%s: %s", syscall, errno_name(err), detail ? " " : "", detail ? detail : "",
           strerror(err));
  napi_value code, text, error, num, sys;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, -err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  return error;
}

static void throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  napi_throw(env, errno_error(env, err, syscall, detail));
}

// Throws for a failed N-API call unless something already did.
static void throw_pending_or(napi_env env, const char *message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_NAPI", message);
}

#define CHECK(env, call)                                                              \
  do {                                                                                \
    if ((call) != napi_ok) {                                                          \
      const napi_extended_error_info *info_ = NULL;                                   \
      napi_get_last_error_info((env), &info_);                                        \
      bool pending_ = false;                                                          \
      napi_is_exception_pending((env), &pending_);                                    \
      if (!pending_)                                                                  \
        napi_throw_error((env), "ERR_NAPI",                                           \
                         info_ && info_->error_message ? info_->error_message : #call); \
      return NULL;                                                                    \
    }                                                                                 \
  } while (0)

// ---- lifetime ----------------------------------------------------------------------------------

static void on_poll(uv_poll_t *handle, int status, int events);

static void on_closed(uv_handle_t *handle) {
  tun_t *t = handle->data;
  t->close_done = 1;
  free(t->slab);
  free(t->bounds);
  t->slab = NULL;
  t->bounds = NULL;
  if (t->finalized) free(t);
}

static void cleanup_hook(void *arg);

// Idempotent. The fd is closed synchronously so the kernel sees the detach at once; the poll
// handle's memory is released later by on_closed.
static void close_tun(tun_t *t) {
  if (t->closed) return;
  t->closed = 1;
  uv_poll_stop(&t->poll);
  t->poll_events = 0;
  close(t->fd);
  t->fd = -1;
  if (!t->in_cleanup) napi_remove_env_cleanup_hook(t->env, cleanup_hook, t);
  napi_delete_reference(t->env, t->on_read);
  napi_delete_reference(t->env, t->on_writable);
  napi_delete_reference(t->env, t->on_error);
  napi_async_destroy(t->env, t->async_ctx);
  uv_close((uv_handle_t *)&t->poll, on_closed);
}

// The environment is going away (process exit, worker termination) with the device still open.
static void cleanup_hook(void *arg) {
  tun_t *t = arg;
  t->in_cleanup = 1;
  close_tun(t);
}

// The JS side dropped the handle without closing it: close it for them.
static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tun_t *t = data;
  t->finalized = 1;
  close_tun(t);
  if (t->close_done) free(t);
}

static int update_poll(tun_t *t) {
  if (t->closed) return 0;
  int ev = (t->reading ? UV_READABLE : 0) | (t->want_writable ? UV_WRITABLE : 0);
  if (ev == t->poll_events) return 0;
  int r = ev ? uv_poll_start(&t->poll, ev, on_poll) : uv_poll_stop(&t->poll);
  if (r == 0) t->poll_events = ev;
  return r;
}

// ---- calling into JS from the loop -------------------------------------------------------------

static void call_js(tun_t *t, napi_ref ref, size_t argc, napi_value *argv) {
  napi_env env = t->env;
  napi_value fn, recv;
  if (napi_get_reference_value(env, ref, &fn) != napi_ok || fn == NULL) return;
  napi_get_global(env, &recv);  // napi_make_callback insists on an object receiver
  if (napi_make_callback(env, t->async_ctx, recv, fn, argc, argv, NULL) != napi_ok) {
    // Nothing above us to catch it: hand it to process 'uncaughtException' like any callback.
    bool pending = false;
    napi_value exc;
    napi_is_exception_pending(env, &pending);
    if (pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  }
}

static void report_error(tun_t *t, napi_value error) {
  t->reading = 0;
  t->want_writable = 0;
  update_poll(t);
  call_js(t, t->on_error, 1, &error);
}

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
      report_error(t, exc);
    } else {
      report_error(t, errno_error(env, ENOMEM, "read", "(allocating the batch)"));
    }
    return;
  }
  memcpy(data, t->bounds, (count + 1) * sizeof(uint32_t));
  call_js(t, t->on_read, 2, argv);
}

static void drain(tun_t *t) {
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
  if (err != 0 && !t->closed) report_error(t, errno_error(t->env, err, "read", t->name));
  napi_close_handle_scope(t->env, scope);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  tun_t *t = handle->data;
  if (t->closed) return;
  if (status < 0) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(t->env, &scope) != napi_ok) return;
    report_error(t, errno_error(t->env, -status, "poll", t->name));
    napi_close_handle_scope(t->env, scope);
    return;
  }
  if ((events & UV_WRITABLE) && t->want_writable) {
    t->want_writable = 0;
    update_poll(t);
    napi_handle_scope scope;
    if (napi_open_handle_scope(t->env, &scope) != napi_ok) return;
    call_js(t, t->on_writable, 0, NULL);
    napi_close_handle_scope(t->env, scope);
    if (t->closed) return;
  }
  if ((events & UV_READABLE) && t->reading) drain(t);
}

// ---- argument helpers --------------------------------------------------------------------------

static tun_t *get_tun(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a TUN handle");
    return NULL;
  }
  return data;
}

static int get_u32(napi_env env, napi_value v, uint32_t lo, uint32_t hi, const char *what, uint32_t *out) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number || napi_get_value_uint32(env, v, out) != napi_ok ||
      *out < lo || *out > hi) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be an integer in %u..%u", what, lo, hi);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  return 1;
}

static int is_function(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) == napi_ok && type == napi_function;
}

// ---- opening (the privileged helper's side) ----------------------------------------------------

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

static int get_bool_arg(napi_env env, napi_value v, bool fallback, const char *what, bool *out) {
  napi_valuetype type;
  *out = fallback;
  if (napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_undefined) return 1;
  if (type != napi_boolean || napi_get_value_bool(env, v, out) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a boolean", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  return 1;
}

// openDevice(name[, offload]) -> { fd, vnet }. The helper's half: needs access to /dev/net/tun (and,
// for a device it does not own, CAP_NET_ADMIN). offload (default true): IFF_VNET_HDR, falling back
// to plain packets when the kernel refuses it. The fd is close-on-exec and non-blocking; it is
// meant to be handed over (sendFd) and closed here.
static napi_value js_open_device(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "openDevice(name[, offload])");
    return NULL;
  }
  bool offload = true;
  if (argc >= 2 && !get_bool_arg(env, argv[1], true, "offload", &offload)) return NULL;
  char name[IFNAMSIZ + 1];
  size_t name_len = 0;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len) != napi_ok || name_len == 0 ||
      name_len >= IFNAMSIZ || strlen(name) != name_len) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "name must be 1..15 bytes");
    return NULL;
  }
  // As root, TUNSETIFF would create a device under a free name: only attach to one that exists.
  if (if_nametoindex(name) == 0) {
    throw_errno(env, ENODEV, "if_nametoindex", name);
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
    throw_errno(env, err, what, strcmp(what, "open") == 0 ? "/dev/net/tun" : name);
    return NULL;
  }
  if (napi_create_object(env, &obj) != napi_ok || napi_create_int32(env, fd, &v) != napi_ok ||
      napi_set_named_property(env, obj, "fd", v) != napi_ok || napi_get_boolean(env, vnet, &v) != napi_ok ||
      napi_set_named_property(env, obj, "vnet", v) != napi_ok) {
    close(fd);
    throw_pending_or(env, "could not return the device");
    return NULL;
  }
  return obj;
}

// ---- attaching (the engine's side) -------------------------------------------------------------

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

// attach(fd, headroom, maxPackets, maxBytes, onRead(buf, bounds), onWritable(), onError(err)) -> handle.
// Takes over `fd`, an attached TUN descriptor handed over by the helper: the handle closes it, and
// so does a failed attach. Needs no access to /dev/net/tun and no capability.
static napi_value js_attach(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "attach(fd, headroom, maxPackets, maxBytes, onRead, onWritable, onError)");
    return NULL;
  }
  uint32_t ufd, headroom, max_packets, max_bytes;
  if (!get_u32(env, argv[0], 0, INT32_MAX, "fd", &ufd)) return NULL;
  int fd = (int)ufd;
  if (!get_u32(env, argv[1], 0, MAX_HEADROOM, "headroom", &headroom) ||
      !get_u32(env, argv[2], 1, MAX_BATCH_PACKETS, "maxPackets", &max_packets) ||
      !get_u32(env, argv[3], 1, MAX_BATCH_BYTES, "maxBytes", &max_bytes))
    return NULL;
  for (int i = 4; i < 7; i++) {
    if (!is_function(env, argv[i])) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "callbacks must be functions");
      return NULL;
    }
  }
  char name[IFNAMSIZ];
  int vnet = 0, err;
  const char *what = "ioctl(TUNGETIFF)";
  if ((err = describe_fd(fd, name, &vnet, &what)) != 0) {
    // EBADF: not a descriptor at all, so nothing of ours to close.
    if (err != EBADF) close(fd);
    throw_errno(env, err, what, "(the handed-over descriptor)");
    return NULL;
  }
  // uv_poll requires a non-blocking fd; the flag lives on the open file, which the helper set.
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || ((fl & O_NONBLOCK) == 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    err = errno;
    close(fd);
    throw_errno(env, err, "fcntl", name);
    return NULL;
  }
  size_t name_len = strlen(name);

  tun_t *t = calloc(1, sizeof *t);
  uint8_t *slab = malloc((size_t)max_bytes + headroom + MAX_PACKET);
  uint32_t *bounds = malloc(((size_t)max_packets + 1) * sizeof(uint32_t));
  uv_loop_t *loop = NULL;
  if (t == NULL || slab == NULL || bounds == NULL) {
    free(t);
    free(slab);
    free(bounds);
    close(fd);
    throw_errno(env, ENOMEM, "malloc", name);
    return NULL;
  }
  t->env = env;
  t->fd = fd;
  memcpy(t->name, name, name_len + 1);
  t->headroom = headroom;
  t->max_packets = max_packets;
  t->max_bytes = max_bytes;
  t->slab = slab;
  t->bounds = bounds;
  t->vnet = vnet;
  t->gso = vnet;

  int uverr = 0;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || (uverr = uv_poll_init(loop, &t->poll, fd)) != 0) {
    free(slab);
    free(bounds);
    free(t);
    close(fd);
    throw_errno(env, uverr ? -uverr : EINVAL, "uv_poll_init", name);
    return NULL;
  }
  t->poll.data = t;

  napi_value resource_name, ext;
  if (napi_create_string_utf8(env, "CausewayTun", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_async_init(env, NULL, resource_name, &t->async_ctx) != napi_ok ||
      napi_create_reference(env, argv[4], 1, &t->on_read) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &t->on_writable) != napi_ok ||
      napi_create_reference(env, argv[6], 1, &t->on_error) != napi_ok ||
      napi_create_external(env, t, finalize, NULL, &ext) != napi_ok) {
    // Unwind through the normal close path: it tolerates the half-built state (NULL refs).
    t->in_cleanup = 1;  // no hook registered yet
    t->finalized = 1;   // nothing in JS will ever own t
    close_tun(t);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, "ERR_NAPI", "could not set up the TUN handle");
    return NULL;
  }
  napi_add_env_cleanup_hook(env, cleanup_hook, t);
  return ext;
}

// setReading(handle, on): reading starts paused so no packet arrives before a handler exists.
static napi_value js_set_reading(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t == NULL) return NULL;
  bool on = false;
  CHECK(env, napi_get_value_bool(env, argv[1], &on));
  if (t->closed) return NULL;
  t->reading = on ? 1 : 0;
  int r = update_poll(t);
  if (r != 0) throw_errno(env, -r, "uv_poll_start", t->name);
  return NULL;
}

// wantWritable(handle): one-shot; onWritable() fires once the fd accepts writes again.
static napi_value js_want_writable(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t == NULL || t->closed) return NULL;
  t->want_writable = 1;
  int r = update_poll(t);
  if (r != 0) throw_errno(env, -r, "uv_poll_start", t->name);
  return NULL;
}

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

// A window onto packets[next - count, next) of a JS array, refilled as gso_plan consumes it.
typedef struct {
  gso_packet_t items[GSO_MAX_SEGS];
  uint32_t count;
  uint32_t next;  // array index of the first packet not yet in the window
} window_t;

static int window_fill(napi_env env, napi_value packets, uint32_t length, window_t *w) {
  while (w->count < GSO_MAX_SEGS && w->next < length) {
    if (!packet_at(env, packets, w->next, &w->items[w->count])) return 0;
    w->count++;
    w->next++;
  }
  return 1;
}

static void window_consume(window_t *w, uint32_t k) {
  memmove(w->items, w->items + k, (size_t)(w->count - k) * sizeof w->items[0]);
  w->count -= k;
}

// Validates (packets, start) and fills the first window. Returns 0 with an exception pending.
static int window_open(napi_env env, napi_value packets, napi_value start, uint32_t *length, window_t *w) {
  bool is_array = false;
  if (napi_is_array(env, packets, &is_array) != napi_ok) return 0;
  if (!is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "packets must be an array");
    return 0;
  }
  if (napi_get_array_length(env, packets, length) != napi_ok) return 0;
  w->count = 0;
  if (!get_u32(env, start, 0, *length, "start", &w->next)) return 0;
  return window_fill(env, packets, *length, w);
}

// write(handle, packets: Uint8Array[], start) -> index after the last packet consumed.
// A packet is consumed when written (alone or merged into a GSO packet) or dropped (the kernel
// refused it: malformed, no memory); EAGAIN stops early. Only errors meaning the device is gone
// are thrown.
static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t == NULL) return NULL;
  if (t->closed) {
    throw_errno(env, EBADF, "write", t->name);
    return NULL;
  }
  uint32_t len = 0;
  window_t w;
  gso_plan_t plan;  // ~1.2 KB: iovecs for up to GSO_MAX_SEGS payloads
  if (!window_open(env, argv[1], argv[2], &len, &w)) {
    throw_pending_or(env, "could not read the packets");
    return NULL;
  }
  while (w.count > 0) {
    ssize_t r;
    uint32_t k = 1;
    size_t in_bytes = 0;
    if (t->vnet) {
      if (t->gso) {
        k = gso_plan(w.items, w.count, &plan);
      } else {
        gso_plan_single(&w.items[0], &plan);
      }
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
        throw_errno(env, err, "write", t->name);
        return NULL;
      }
      if (k > 1 && err == EINVAL) {
        // The kernel refused the merged packet (a check gso.c does not know about): stop merging
        // on this device and write these segments one by one, which it has always taken.
        t->gso = 0;
        continue;
      }
      t->tx_dropped += k;  // EINVAL (not IPv4/IPv6), EIO (link down), ENOMEM, ...: IP is lossy
    } else {
      t->tx_packets += k;
      t->tx_bytes += (double)in_bytes;
      if (k > 1) {
        t->tx_gso_packets++;
        t->tx_gso_segments += k;
      }
    }
    window_consume(&w, k);
    if (!window_fill(env, argv[1], len, &w)) {
      throw_pending_or(env, "could not read the packets");
      return NULL;
    }
  }
  CHECK(env, napi_create_uint32(env, w.next - w.count, &result));
  return result;
}

// coalesce(packets: Uint8Array[], start) -> { consumed, packet, flags, gsoType, hdrLen, gsoSize,
// csumStart, csumOffset }: what write() would hand the kernel for packets[start...] as its next
// write (the virtio_net_hdr fields and the IP bytes after it). For tests: no device involved.
static napi_value js_coalesce(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t len = 0;
  window_t w;
  gso_plan_t plan;
  if (!window_open(env, argv[0], argv[1], &len, &w)) {
    throw_pending_or(env, "could not read the packets");
    return NULL;
  }
  if (w.count == 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "no packet at start");
    return NULL;
  }
  gso_plan(w.items, w.count, &plan);
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

// gso(handle) -> whether writes currently merge TCP segments (IFF_VNET_HDR granted, not refused).
static napi_value js_gso(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t == NULL) return NULL;
  CHECK(env, napi_get_boolean(env, !t->closed && t->gso, &result));
  return result;
}

// deviceName(handle) -> the interface name the kernel reported when the descriptor was attached.
static napi_value js_device_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t == NULL) return NULL;
  CHECK(env, napi_create_string_utf8(env, t->name, NAPI_AUTO_LENGTH, &result));
  return result;
}

// mtu(handle) -> the device's current MTU, asked of the kernel each time.
static napi_value js_mtu(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t == NULL) return NULL;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    throw_errno(env, errno, "socket", t->name);
    return NULL;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, t->name, strlen(t->name));
  int r = ioctl(s, SIOCGIFMTU, &ifr);
  int err = errno;
  close(s);
  if (r < 0) {
    throw_errno(env, err, "ioctl(SIOCGIFMTU)", t->name);
    return NULL;
  }
  CHECK(env, napi_create_int32(env, ifr.ifr_mtu, &result));
  return result;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
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
#undef STAT
  return obj;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tun_t *t = get_tun(env, argv[0]);
  if (t != NULL) close_tun(t);
  return NULL;
}

// ---- handing descriptors over (fdpass.c) -------------------------------------------------------

static int get_fd(napi_env env, napi_value v, const char *what, int *out) {
  uint32_t u;
  if (!get_u32(env, v, 0, INT32_MAX, what, &u)) return 0;
  *out = (int)u;
  return 1;
}

// socketpair() -> [a, b]: a connected AF_UNIX stream pair, both close-on-exec. The client keeps
// one end and gives the helper the other as its stdin (which pkexec passes on; it marks every
// descriptor from 3 up close-on-exec).
static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  int err = fdpass_socketpair(fds);
  if (err != 0) {
    throw_errno(env, err, "socketpair", NULL);
    return NULL;
  }
  napi_value arr, v;
  if (napi_create_array_with_length(env, 2, &arr) != napi_ok || napi_create_int32(env, fds[0], &v) != napi_ok ||
      napi_set_element(env, arr, 0, v) != napi_ok || napi_create_int32(env, fds[1], &v) != napi_ok ||
      napi_set_element(env, arr, 1, v) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    throw_pending_or(env, "could not return the socket pair");
    return NULL;
  }
  return arr;
}

// sendFd(socket, fd, tag): one hand-over (fdpass.h); tag is the interface name.
static napi_value js_send_fd(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int sock, fd;
  if (argc < 3 || !get_fd(env, argv[0], "socket", &sock) || !get_fd(env, argv[1], "fd", &fd)) return NULL;
  char tag[FDPASS_TAG_BYTES + 1];  // one more than fits, so a truncated copy shows as too long
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[2], tag, sizeof tag, &len) != napi_ok || len == 0 ||
      len >= FDPASS_TAG_BYTES || strlen(tag) != len) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "tag must be 1..15 bytes");
    return NULL;
  }
  int err = fdpass_send(sock, fd, tag);
  if (err != 0) throw_errno(env, err, "sendmsg", tag);
  return NULL;
}

// recvFd(socket) -> { fd, tag }: the hand-over that must already be waiting (never blocks).
static napi_value js_recv_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int sock, fd = -1;
  if (argc < 1 || !get_fd(env, argv[0], "socket", &sock)) return NULL;
  char tag[FDPASS_TAG_BYTES];
  int err = fdpass_recv(sock, &fd, tag);
  if (err != 0) {
    throw_errno(env, err, "recvmsg", NULL);
    return NULL;
  }
  if (napi_create_object(env, &obj) != napi_ok || napi_create_int32(env, fd, &v) != napi_ok ||
      napi_set_named_property(env, obj, "fd", v) != napi_ok ||
      napi_create_string_utf8(env, tag, NAPI_AUTO_LENGTH, &v) != napi_ok || napi_set_named_property(env, obj, "tag", v) != napi_ok) {
    close(fd);
    throw_pending_or(env, "could not return the descriptor");
    return NULL;
  }
  return obj;
}

// peerCredentials(socket) -> { pid, uid, gid } of whoever holds the other end (SO_PEERCRED).
static napi_value js_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int sock;
  if (argc < 1 || !get_fd(env, argv[0], "socket", &sock)) return NULL;
  pid_t pid;
  uid_t uid;
  gid_t gid;
  int err = fdpass_peer(sock, &pid, &uid, &gid);
  if (err != 0) {
    throw_errno(env, err, "getsockopt(SO_PEERCRED)", NULL);
    return NULL;
  }
  CHECK(env, napi_create_object(env, &obj));
#define CRED(value, key)                                   \
  CHECK(env, napi_create_double(env, (double)(value), &v)); \
  CHECK(env, napi_set_named_property(env, obj, key, v));
  CRED(pid, "pid")
  CRED(uid, "uid")
  CRED(gid, "gid")
#undef CRED
  return obj;
}

// closeFd(fd): for a descriptor received but never attached.
static napi_value js_close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || !get_fd(env, argv[0], "fd", &fd)) return NULL;
  if (close(fd) != 0 && errno != EINTR) throw_errno(env, errno, "close", NULL);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
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
      {"coalesce", NULL, js_coalesce, NULL, NULL, NULL, napi_enumerable, NULL},
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

NAPI_MODULE_INIT() { return init(env, exports); }
