// resolv.conf replaced atomically: a new inode renamed into place, mode and owner kept, a symlink
// followed (and kept), an absent file created. The bind-mount case (rename refused) needs root and a
// mount namespace: test/integration/helper/dns-resolv-conf.test.ts.
import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { replaceFileAtomically } from '../../../main/helper/root/dns-resolv-conf-file.js';

const dir = mkdtempSync(join(tmpdir(), 'cwt-resolv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a plain file: replaced by rename (new inode), mode kept, no temporary file left', () => {
  const path = join(dir, 'plain.conf');
  writeFileSync(path, 'nameserver 192.0.2.53\n');
  chmodSync(path, 0o640);
  const before = statSync(path);
  assert.equal(replaceFileAtomically(path, 'nameserver 10.0.0.53\n'), 'renamed');
  const now = statSync(path);
  assert.equal(readFileSync(path, 'utf8'), 'nameserver 10.0.0.53\n');
  assert.notEqual(now.ino, before.ino, 'a new inode: readers saw the old file or the new one, never half');
  assert.equal(now.mode & 0o7777, 0o640);
  assert.equal(now.uid, before.uid);
  assert.equal(now.gid, before.gid);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('causeway')),
    [],
  );
});

test('a symlink: its target is replaced and the link stays a link', () => {
  const target = join(dir, 'target.conf');
  const link = join(dir, 'link.conf');
  writeFileSync(target, 'nameserver 192.0.2.53\n');
  symlinkSync('target.conf', link);
  assert.equal(replaceFileAtomically(link, 'nameserver 10.0.0.53\n'), 'renamed');
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), 'target.conf');
  assert.equal(readFileSync(target, 'utf8'), 'nameserver 10.0.0.53\n');
});

test('an absent file is created 0644', () => {
  const path = join(dir, 'absent.conf');
  assert.equal(replaceFileAtomically(path, 'nameserver 10.0.0.53\n'), 'renamed');
  assert.equal(statSync(path).mode & 0o7777, 0o644);
});

test('a directory that cannot take the file is an error, not a silent in-place write', () => {
  assert.throws(() => replaceFileAtomically(join(dir, 'missing-dir', 'x.conf'), 'x'), /ENOENT/);
});
