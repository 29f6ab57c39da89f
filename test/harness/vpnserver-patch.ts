// A patched copy of Debian 12's SoftEther vpnserver, the only build apt offers here.
//
// That build (5.01.9674+git20200806+8181039+dfsg2-2+b2) accepts TLS but never answers a correct
// SSTP_DUPLEX_POST: ProtoHandleConnection() reads `container->Impl` while `container` is still NULL
// (fixed upstream in SoftEtherVPN 5611156c, release 5.02), and GCC compiled that undefined behaviour
// into "always fail". We rewrite the 65-byte container lookup loop so that it remembers the matching
// container, as the upstream fix does, and joins the existing code path that uses it. The installed
// package stays untouched; any other binary is refused, because the offsets only fit this one build.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { join } from 'node:path';

export const DEBIAN_VPNSERVER = '/usr/libexec/softether/vpnserver/vpnserver';
export const DEBIAN_VPNSERVER_SHA256 = '487e51a73f152c9042837975044edd6d11cef4f29eaff2162512f2b897054212';
/** What the patch turns the Debian build into (the same bytes the team's reference patcher writes). */
export const PATCHED_VPNSERVER_SHA256 = '43ccdf861dedc0abf41cebe4ed239e047be0b6de672e2872a1911216ee6c8c1f';

// .text is mapped at its file offset in this binary, so file offsets equal the addresses below.
const PATCH_START = 0x3a00f;
const PATCH_END = 0x3a050;

// The loop as Debian's compiler emitted it (only used to check we are looking at the right code).
const ORIGINAL = Buffer.from(
  '488b470831db4889c24885c07528eb3190488b521089d84889ee488b04c2488b38' +
    'e89b1b130085c07417498b570883c3014885d2740b3b5a0872d6660f1f440000',
  'hex',
);

// Register roles at this point of ProtoHandleConnection: r15 = proto, rbp = protocol name, rbx = sock.
// The common path at 0x3a0ac tests rax and uses r12 as the container, so both get the match.
const REPLACEMENT = Buffer.from(
  [
    '4531ed', //       3a00f  xor  r13d, r13d              index = 0
    '498b5708', //     3a012  mov  rdx, [r15+8]            proto->Containers (re-read: StrCmp clobbers rdx)
    '4885d2', //       3a016  test rdx, rdx
    '7435', //         3a019  je   3a050                   no list: fail as before
    '443b6a08', //     3a01b  cmp  r13d, [rdx+8]           index < list->num_item ?
    '732f', //         3a01f  jae  3a050                   not found: fail as before
    '488b5210', //     3a021  mov  rdx, [rdx+0x10]         list->p
    '4e8b24ea', //     3a025  mov  r12, [rdx+r13*8]        candidate container
    '498b3c24', //     3a029  mov  rdi, [r12]              its Name
    '4889ee', //       3a02d  mov  rsi, rbp                the requested protocol
    'e89b1b1300', //   3a030  call StrCmp (16bbd0)
    '4183c501', //     3a035  add  r13d, 1
    '85c0', //         3a039  test eax, eax
    '75d5', //         3a03b  jne  3a012                   try the next one
    '4c89e0', //       3a03d  mov  rax, r12                found: container = candidate
    'eb6a', //         3a040  jmp  3a0ac                   continue where the fixed code would
  ].join(''),
  'hex',
);

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Returns a patched copy of the Debian vpnserver image; throws on any other input. */
export function patchVpnserver(original: Uint8Array): Buffer {
  const actual = sha256Hex(original);
  if (actual !== DEBIAN_VPNSERVER_SHA256) {
    throw new Error(`refusing to patch vpnserver: sha256 ${actual} is not the known Debian 12 build`);
  }
  const image = Buffer.from(original);
  const window = image.subarray(PATCH_START, PATCH_END);
  if (!window.equals(ORIGINAL)) {
    throw new Error(`refusing to patch vpnserver: unexpected bytes at 0x${PATCH_START.toString(16)}`);
  }
  window.fill(0x90); // the tail after the new code is never reached; keep it harmless NOPs
  REPLACEMENT.copy(window, 0);
  return image;
}

function fileSha256(path: string): string | undefined {
  try {
    return sha256Hex(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * The patched binary, cached under `cacheRoot` by content hash so that runs after the first only
 * hash it. vpnserver looks for hamcore.se2 beside its executable, hence the symlink.
 */
export function ensurePatchedVpnserver(cacheRoot: string, source = DEBIAN_VPNSERVER): string {
  const dir = join(cacheRoot, `vpnserver-${PATCHED_VPNSERVER_SHA256.slice(0, 16)}`);
  const binary = join(dir, 'vpnserver');
  const hamcore = join(dir, 'hamcore.se2');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fileSha256(binary) !== PATCHED_VPNSERVER_SHA256) {
    const patched = patchVpnserver(readFileSync(source));
    const produced = sha256Hex(patched);
    if (produced !== PATCHED_VPNSERVER_SHA256) throw new Error(`patched vpnserver has unexpected sha256 ${produced}`);
    // Another test process may be doing the same right now: write privately, then rename over.
    const tmp = `${binary}.${process.pid}.tmp`;
    writeFileSync(tmp, patched, { mode: 0o755 });
    renameSync(tmp, binary);
  }
  const hamcoreTarget = realpathSync(join(source, '..', 'hamcore.se2'));
  let linked = false;
  try {
    linked = lstatSync(hamcore).isSymbolicLink() && realpathSync(hamcore) === hamcoreTarget;
  } catch {
    linked = false;
  }
  if (!linked) {
    const tmp = `${hamcore}.${process.pid}.tmp`;
    rmSync(tmp, { force: true });
    symlinkSync(hamcoreTarget, tmp);
    renameSync(tmp, hamcore);
  }
  return binary;
}
