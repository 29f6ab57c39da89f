// See fdpass.h. The helper sends one message per TUN; the engine reads it right after the helper's
// answer to open-tun, so a message that is not there yet (EAGAIN) is a protocol error, not a wait.
#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int fdpass_send(int sock, int fd, const char *tag) {
  char payload[FDPASS_TAG_BYTES];
  size_t n = strlen(tag);
  if (n >= FDPASS_TAG_BYTES) return EINVAL;
  memset(payload, 0, sizeof payload);
  memcpy(payload, tag, n);
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {payload, sizeof payload};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t r;
  // MSG_NOSIGNAL: a vanished peer is an EPIPE to report, not a SIGPIPE that kills the helper.
  do {
    r = sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return errno;
  // A unix stream socket takes a message this small whole or not at all.
  return (size_t)r == sizeof payload ? 0 : EPROTO;
}

// Closes every descriptor a control message carried.
static void close_received(struct msghdr *msg) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      close(fd);
    }
  }
}

int fdpass_recv(int sock, int *fd, char tag[FDPASS_TAG_BYTES]) {
  // Room for more descriptors than we accept, so that a peer sending several is seen doing so and
  // every one of them is closed, rather than some dropped by truncation.
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(4 * sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {tag, FDPASS_TAG_BYTES};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t r;
  do {
    r = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return errno;
  int found = -1, count = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) continue;
    count += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    if (found < 0 && c->cmsg_len >= CMSG_LEN(sizeof(int))) memcpy(&found, CMSG_DATA(c), sizeof found);
  }
  if (r != (ssize_t)FDPASS_TAG_BYTES || count != 1 || (msg.msg_flags & MSG_CTRUNC) || tag[FDPASS_TAG_BYTES - 1] != 0) {
    close_received(&msg);
    return r == 0 ? EPIPE : EPROTO;
  }
  *fd = found;
  return 0;
}

int fdpass_peer(int sock, pid_t *pid, uid_t *uid, gid_t *gid) {
  struct ucred cred;
  socklen_t len = sizeof cred;
  int domain = 0;
  socklen_t domain_len = sizeof domain;
  // Only a Unix socket's peer credentials are the kernel's word; other families answer nonsense.
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &domain_len) != 0) return errno;
  if (domain != AF_UNIX) return EAFNOSUPPORT;
  if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return errno;
  if (len != sizeof cred) return EPROTO;
  *pid = cred.pid;
  *uid = cred.uid;
  *gid = cred.gid;
  return 0;
}

int fdpass_socketpair(int fds[2]) {
  return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : errno;
}
