// Handing descriptors over (fdpass.c) for JavaScript: the socket pair the client gives the helper
// as its stdin, one SCM_RIGHTS hand-over each way, and who holds the other end (SO_PEERCRED).
#include "tun.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "fdpass.h"

// socketpair() -> [a, b]: a connected AF_UNIX stream pair, both close-on-exec. The client keeps
// one end and gives the helper the other as its stdin (which pkexec passes on; it marks every
// descriptor from 3 up close-on-exec).
napi_value js_socketpair(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  int err = fdpass_socketpair(fds);
  if (err != 0) {
    tun_throw_errno(env, err, "socketpair", NULL);
    return NULL;
  }
  napi_value arr, v;
  if (napi_create_array_with_length(env, 2, &arr) != napi_ok || napi_create_int32(env, fds[0], &v) != napi_ok ||
      napi_set_element(env, arr, 0, v) != napi_ok || napi_create_int32(env, fds[1], &v) != napi_ok ||
      napi_set_element(env, arr, 1, v) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    tun_throw_pending_or(env, "could not return the socket pair");
    return NULL;
  }
  return arr;
}

// sendFd(socket, fd, tag): one hand-over (fdpass.h); tag is the interface name.
napi_value js_send_fd(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int sock, fd;
  if (argc < 3 || !tun_get_fd(env, argv[0], "socket", &sock) || !tun_get_fd(env, argv[1], "fd", &fd)) return NULL;
  char tag[FDPASS_TAG_BYTES + 1];  // one more than fits, so a truncated copy shows as too long
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[2], tag, sizeof tag, &len) != napi_ok || len == 0 ||
      len >= FDPASS_TAG_BYTES || strlen(tag) != len) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "tag must be 1..15 bytes");
    return NULL;
  }
  int err = fdpass_send(sock, fd, tag);
  if (err != 0) tun_throw_errno(env, err, "sendmsg", tag);
  return NULL;
}

// recvFd(socket) -> { fd, tag }: the hand-over that must already be waiting (never blocks).
napi_value js_recv_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int sock, fd = -1;
  if (argc < 1 || !tun_get_fd(env, argv[0], "socket", &sock)) return NULL;
  char tag[FDPASS_TAG_BYTES];
  int err = fdpass_recv(sock, &fd, tag);
  if (err != 0) {
    tun_throw_errno(env, err, "recvmsg", NULL);
    return NULL;
  }
  if (napi_create_object(env, &obj) != napi_ok || napi_create_int32(env, fd, &v) != napi_ok ||
      napi_set_named_property(env, obj, "fd", v) != napi_ok ||
      napi_create_string_utf8(env, tag, NAPI_AUTO_LENGTH, &v) != napi_ok || napi_set_named_property(env, obj, "tag", v) != napi_ok) {
    close(fd);
    tun_throw_pending_or(env, "could not return the descriptor");
    return NULL;
  }
  return obj;
}

// peerCredentials(socket) -> { pid, uid, gid } of whoever holds the other end (SO_PEERCRED).
napi_value js_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int sock;
  if (argc < 1 || !tun_get_fd(env, argv[0], "socket", &sock)) return NULL;
  pid_t pid;
  uid_t uid;
  gid_t gid;
  int err = fdpass_peer(sock, &pid, &uid, &gid);
  if (err != 0) {
    tun_throw_errno(env, err, "getsockopt(SO_PEERCRED)", NULL);
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
napi_value js_close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || !tun_get_fd(env, argv[0], "fd", &fd)) return NULL;
  if (close(fd) != 0 && errno != EINTR) tun_throw_errno(env, errno, "close", NULL);
  return NULL;
}
