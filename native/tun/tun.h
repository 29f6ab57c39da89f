// Internal to the addon: the per-device handle and what its files give each other.
//
// Linux TUN devices for both halves of Causeway. The privileged helper opens the device
// (openDevice, open.c) and hands the descriptor to the engine over a Unix socket (sendFd/recvFd,
// fdpass_js.c over fdpass.c, checked with peerCredentials); the engine attaches to that descriptor
// (attach, attach.c) and moves packets between it and JavaScript (read.c, write.c). The engine never
// opens /dev/net/tun, whose mode is 0600 on some machines.
//
// Node-API only (NAPI_VERSION 8), so one build serves Node and Electron. No libuv threadpool:
// the fd is non-blocking and watched with uv_poll on the JS thread's loop (lifetime.c).
//
// The files, one concern each:
//   napi_helpers.c  errors shaped like Node's system errors, argument checks
//   lifetime.c      closing the handle from JS, GC or env teardown; the poll and calls into JS
//   open.c          the helper's side: TUNSETIFF, the virtio_net_hdr settings, offloads off
//   attach.c        the engine's side: taking over a handed-over descriptor, read offloads on
//   read.c          batch reads into the slab: super-packets cut by gso_read.c, superseded pure
//                   ACKs left out (ack_thin.c)
//   write.c         batch writes: TCP segments merged by gso.c, UDP datagrams by gso_udp.c,
//                   superseded pure ACKs left out by ack_thin.c (csum.h: their checksums)
//   info.c          questions about a handle: name, MTU, GSO, counters
//   fdpass_js.c     fdpass.c for JavaScript
//   exports.c       the exported table; causeway_tun.c registers it as the product addon, and
//                   test_addon.c as the test addon with coalesce() added (binding.gyp)
#ifndef CAUSEWAY_TUN_H
#define CAUSEWAY_TUN_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <uv.h>

#include <net/if.h>
#include <stdint.h>

#include "gso.h"

#define MAX_PACKET 65535u
#define MAX_HEADROOM 256u
#define MAX_BATCH_PACKETS 4096u
#define MAX_BATCH_BYTES (16u * 1024u * 1024u)
// Segments one read super-packet may become (gso_read.c); the slab and bounds hold that many past
// the caps. 64 KB of TCP at the kernel's smallest MSS (net.ipv4.tcp_min_snd_mss, 48) is 1366; a
// GSO packet that would need more is dropped. UDP sends are at most 128 datagrams (UDP_MAX_SEGMENTS).
#define TUN_RX_MAX_SEGS 1400u

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
  size_t slab_size;
  uint32_t *bounds;    // max_packets + TUN_RX_MAX_SEGS + 1 frame starts of the batch being read
  uint8_t *thinned;    // per frame of that batch: a superseded pure ACK, left out (read.c)
  unsigned rx_offload; // TUN_F_* the kernel granted for reads (attach.c); 0 = plain packets
  int vnet;  // attached with IFF_VNET_HDR: every read and write starts with a virtio_net_hdr
  int gso;      // merge TCP segments on write (vnet, and the kernel has not refused a merged packet)
  int gso_udp;  // merge UDP datagrams on write (the same, for VIRTIO_NET_HDR_GSO_UDP_L4: Linux >= 6.2)
  // Counters for the benchmark and for diagnosing drops; never reset. rx_packets/rx_bytes count what
  // JS received (segments, not super-packets; thinned ACKs left out). tx_gso_* count TCP and UDP
  // GSO packets (UDP's share also in tx_udp_gso_*); thinned ACKs are not in tx_packets.
  double rx_packets, rx_bytes, rx_wakeups, rx_dropped, tx_packets, tx_bytes, tx_dropped, tx_eagain;
  double tx_gso_packets, tx_gso_segments, tx_udp_gso_packets, tx_udp_gso_segments, tx_acks_thinned;
  // Reads: super-packets cut and the segments they became (in rx_packets), pure ACKs left out (not).
  double rx_gso_packets, rx_gso_segments, rx_acks_thinned;
} tun_t;

// ---- napi_helpers.c ------------------------------------------------------------------------------

// A JS Error shaped like Node's system errors: message, code, errno (negative), syscall.
napi_value tun_errno_error(napi_env env, int err, const char *syscall, const char *detail);
void tun_throw_errno(napi_env env, int err, const char *syscall, const char *detail);
// Throws for a failed N-API call unless something already did.
void tun_throw_pending_or(napi_env env, const char *message);

// Each returns 0 (NULL) with a TypeError or RangeError pending when the argument is wrong.
tun_t *tun_get_handle(napi_env env, napi_value v);
int tun_get_u32(napi_env env, napi_value v, uint32_t lo, uint32_t hi, const char *what, uint32_t *out);
int tun_get_bool(napi_env env, napi_value v, bool fallback, const char *what, bool *out);
int tun_get_fd(napi_env env, napi_value v, const char *what, int *out);
// Only tells: throws nothing.
int tun_is_function(napi_env env, napi_value v);

// Returns NULL from the calling js_* function when an N-API call fails, with an exception pending.
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

// ---- lifetime.c ----------------------------------------------------------------------------------

// Idempotent: closes the fd at once, releases the handle's memory once libuv and JS are done with it.
void tun_close(tun_t *t);
// The JS external's finalizer and the env cleanup hook attach.c registers.
void tun_finalize(napi_env env, void *data, void *hint);
void tun_cleanup_hook(void *arg);
// (Re)starts or stops uv_poll for what reading / want_writable now ask. 0, or a libuv error.
int tun_update_poll(tun_t *t);
// Calls a JS callback from the loop (inside a handle scope); a throw goes to 'uncaughtException'.
void tun_call_js(tun_t *t, napi_ref ref, size_t argc, napi_value *argv);
// Stops reading and writable notifications, then calls onError(error).
void tun_report_error(tun_t *t, napi_value error);

// ---- info.c --------------------------------------------------------------------------------------

// The MTU of interface `name`, asked of the kernel; -errno on failure.
int tun_kernel_mtu(const char *name);

// ---- read.c --------------------------------------------------------------------------------------

// The fd is readable: read a batch and hand it to onRead.
void tun_drain(tun_t *t);

// ---- write.c -------------------------------------------------------------------------------------

// A window onto packets[next - count, next) of a JS array, refilled as gso_plan consumes it.
typedef struct {
  gso_packet_t items[GSO_MAX_SEGS];
  uint32_t count;
  uint32_t next;  // array index of the first packet not yet in the window
} tun_window_t;

// Validates (packets, start) and fills the first window. Returns 0 with an exception pending.
int tun_window_open(napi_env env, napi_value packets, napi_value start, uint32_t *length, tun_window_t *w);
// Tops the window up from packets[w->next...]. Returns 0 with an exception pending.
int tun_window_fill(napi_env env, napi_value packets, uint32_t length, tun_window_t *w);
// Drops the first k packets of the window.
void tun_window_consume(tun_window_t *w, uint32_t k);
// What write() does next with the window (count >= 1): 0 = leave packets[0] out, an ACK the next
// one supersedes; else the packets `plan` writes (merging only the kinds in `allow`, GSO_ALLOW_*).
uint32_t tun_plan_step(const tun_window_t *w, unsigned allow, gso_plan_t *plan);

// ---- the exported functions, by file -------------------------------------------------------------

napi_value js_open_device(napi_env env, napi_callback_info info);  // open.c
napi_value js_attach(napi_env env, napi_callback_info info);       // attach.c
napi_value js_close(napi_env env, napi_callback_info info);        // lifetime.c
napi_value js_set_reading(napi_env env, napi_callback_info info);  // read.c
napi_value js_write(napi_env env, napi_callback_info info);        // write.c
napi_value js_want_writable(napi_env env, napi_callback_info info);
napi_value js_gso(napi_env env, napi_callback_info info);  // info.c
napi_value js_device_name(napi_env env, napi_callback_info info);
napi_value js_mtu(napi_env env, napi_callback_info info);
napi_value js_stats(napi_env env, napi_callback_info info);
napi_value js_socketpair(napi_env env, napi_callback_info info);  // fdpass_js.c
napi_value js_send_fd(napi_env env, napi_callback_info info);
napi_value js_recv_fd(napi_env env, napi_callback_info info);
napi_value js_peer_credentials(napi_env env, napi_callback_info info);
napi_value js_close_fd(napi_env env, napi_callback_info info);

// exports.c: defines the product API on `exports`; returns NULL with an exception pending on failure.
napi_value tun_define_exports(napi_env env, napi_value exports);

#endif
