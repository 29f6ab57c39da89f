// Handing a descriptor from the privileged helper to the engine over a Unix socket (SCM_RIGHTS),
// and asking a socket who holds its other end. Plain POSIX, no N-API: fdpass_js.c wraps it.
#ifndef CAUSEWAY_FDPASS_H
#define CAUSEWAY_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

// Every hand-over carries exactly this many payload bytes (the interface name, NUL-padded), so the
// receiver reads one message whole from a stream socket and can check what it was given.
#define FDPASS_TAG_BYTES 16u

// Sends `fd` with `tag` (at most FDPASS_TAG_BYTES - 1 bytes). 0, or an errno value.
int fdpass_send(int sock, int fd, const char *tag);

// Receives one hand-over without blocking. On success *fd is a new close-on-exec descriptor and
// tag holds FDPASS_TAG_BYTES bytes, NUL-terminated. Anything but exactly one descriptor with a
// whole tag is refused (EPROTO) and whatever arrived is closed. Returns 0, or an errno value.
int fdpass_recv(int sock, int *fd, char tag[FDPASS_TAG_BYTES]);

// The credentials the kernel recorded for the socket's peer (for a socketpair: its creator's at
// the time of the call). 0, or an errno value (ENOTSOCK for a pipe).
int fdpass_peer(int sock, pid_t *pid, uid_t *uid, gid_t *gid);

// A connected AF_UNIX SOCK_STREAM pair, both ends close-on-exec. 0, or an errno value.
int fdpass_socketpair(int fds[2]);

#endif
