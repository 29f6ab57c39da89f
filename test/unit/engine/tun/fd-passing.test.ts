// The addon's descriptor hand-over, over a real socket pair, with no device and no root: what
// arrives is exactly one descriptor with its tag, anything else is refused and closed, and the
// peer's credentials are the kernel's. attach() refuses (and closes) a descriptor that is not a TUN.
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { tunAddon, type TunAddon } from '../../../../main/engine/tun/native-addon.js';
import { attachTun } from '../../../../main/engine/tun/open-tun.js';

const loaded = tunAddon();
const skip = process.platform !== 'linux' ? 'Linux only' : loaded.ok ? false : loaded.message;
const addon = (): TunAddon => {
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.addon;
};

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'not a system error';
  }
};

const isOpen = (fd: number): boolean => code(() => fstatSync(fd)) === undefined;

test('a descriptor sent over the pair arrives as a new descriptor of the same file, with its tag', { skip }, () => {
  const a = addon();
  const [ours, theirs] = a.socketpair();
  const file = openSync('/dev/zero', 'r');
  try {
    a.sendFd(theirs, file, 'causeway0');
    const got = a.recvFd(ours);
    assert.equal(got.tag, 'causeway0');
    assert.notEqual(got.fd, file);
    assert.equal(fstatSync(got.fd).rdev, fstatSync(file).rdev);
    const buf = Buffer.alloc(4, 1);
    assert.equal(readSync(got.fd, buf), 4);
    assert.deepEqual(buf, Buffer.alloc(4));
    a.closeFd(got.fd);
  } finally {
    closeSync(file);
    a.closeFd(ours);
    a.closeFd(theirs);
  }
});

test(
  'nothing waiting is EAGAIN (never a block); bytes without a descriptor are refused; a closed peer is EPIPE',
  { skip },
  () => {
    const a = addon();
    const [ours, theirs] = a.socketpair();
    try {
      assert.equal(
        code(() => a.recvFd(ours)),
        'EAGAIN',
      );
      writeSync(theirs, Buffer.alloc(16));
      assert.equal(
        code(() => a.recvFd(ours)),
        'EPROTO',
      );
      a.closeFd(theirs);
      assert.equal(
        code(() => a.recvFd(ours)),
        'EPIPE',
      );
    } finally {
      a.closeFd(ours);
    }
  },
);

test('a tag that does not fit is refused before anything is sent; the longest interface name fits', { skip }, () => {
  const a = addon();
  const [ours, theirs] = a.socketpair();
  const file = openSync('/dev/null', 'r');
  try {
    a.sendFd(theirs, file, 'x'.repeat(15));
    const got = a.recvFd(ours);
    a.closeFd(got.fd);
    assert.equal(got.tag, 'x'.repeat(15));
    assert.equal(
      code(() => a.sendFd(theirs, 0, 'x'.repeat(16))),
      'ERR_INVALID_ARG_VALUE',
    );
    assert.equal(
      code(() => a.sendFd(theirs, 0, '')),
      'ERR_INVALID_ARG_VALUE',
    );
    assert.equal(
      code(() => a.recvFd(ours)),
      'EAGAIN',
    );
  } finally {
    closeSync(file);
    a.closeFd(ours);
    a.closeFd(theirs);
  }
});

test("the peer's credentials are whoever made the pair; a pipe or file has none", { skip }, () => {
  const a = addon();
  const [ours, theirs] = a.socketpair();
  try {
    assert.deepEqual(a.peerCredentials(theirs), { pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() });
  } finally {
    a.closeFd(ours);
    a.closeFd(theirs);
  }
  const file = openSync('/dev/null', 'r');
  try {
    assert.equal(
      code(() => a.peerCredentials(file)),
      'ENOTSOCK',
    );
  } finally {
    closeSync(file);
  }
});

test('attach refuses what is not a TUN and closes it; a descriptor that is not open is EBADF', { skip }, () => {
  const file = openSync('/dev/null', 'r');
  const r = attachTun(file);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.code, /^(ENOTTY|EINVAL)$/);
  assert.equal(isOpen(file), false, 'taken over, so closed');
  const bad = attachTun(0x7ffffff0);
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.error.code, 'EBADF');
});
