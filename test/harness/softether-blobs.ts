// Files the harness's nginx serves (fixed bytes or streamed random ones), with their SHA-256 and
// both URLs (through the tunnel, and direct), so download tests can check what arrived byte for byte.
import { createHash, randomFillSync } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobInfo } from './softether-types.js';
import { sha256Hex } from './vpnserver-patch.js';

const BLOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Where blobs go and how they are reached; `root` undefined when the server has no nginx. */
export interface BlobPlace {
  readonly root: string | undefined;
  readonly url: string | undefined;
  readonly directUrl: string | undefined;
}

function checkedPath(p: BlobPlace, name: string): string {
  if (!BLOB_NAME.test(name)) throw new Error(`blob name must match ${BLOB_NAME}: ${JSON.stringify(name)}`);
  if (p.root === undefined) throw new Error('start the server with { http: true } to serve files');
  return join(p.root, name);
}

function info(p: BlobPlace, path: string, name: string, size: number, sha256: string): BlobInfo {
  return { name, path, size, sha256, url: `${p.url ?? ''}${name}`, directUrl: `${p.directUrl ?? ''}${name}` };
}

export async function writeBlob(p: BlobPlace, name: string, bytes: Uint8Array): Promise<BlobInfo> {
  const path = checkedPath(p, name);
  await writeFile(path, bytes);
  return info(p, path, name, bytes.byteLength, sha256Hex(bytes));
}

/** `size` random bytes, written and hashed in 1 MiB pieces (the throughput tests use hundreds of MiB). */
export async function writeRandomBlob(p: BlobPlace, name: string, size: number): Promise<BlobInfo> {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad blob size ${size}`);
  const path = checkedPath(p, name);
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(Math.min(size, 1 << 20));
  const file = await open(path, 'w');
  try {
    for (let left = size; left > 0;) {
      const piece = chunk.subarray(0, Math.min(left, chunk.length));
      randomFillSync(piece);
      hash.update(piece);
      await file.write(piece);
      left -= piece.length;
    }
  } finally {
    await file.close();
  }
  return info(p, path, name, size, hash.digest('hex'));
}
