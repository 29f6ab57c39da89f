// `causeway logs NAME --follow`: prints a profile's newest attempt as it is written, and moves on to the
// next attempt when one starts (the app or another `causeway test` writing it). Polling rather than
// fs.watch: logs are written by other processes, and fs.watch misses or doubles events on some file
// systems; a few stat calls a second cost nothing.
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogEntry } from '../../engine/log.js';
import type { AttemptInfo } from '../../services/logs/connection-log.js';
import type { ConnectionLogs } from '../../services/logs/connection-logs.js';
import { decodeRecords } from '../../services/logs/log-file.js';

export interface FollowOptions {
  readonly signal: AbortSignal;
  /** Follow only this attempt; otherwise the newest, switching when a newer one appears. */
  readonly attempt?: number;
  readonly pollMs?: number;
}

export interface FollowSink {
  attempt(info: AttemptInfo): void;
  entry(entry: LogEntry, info: AttemptInfo): void;
}

/** Runs until the signal aborts. Returns an error message if the profile's logs cannot be listed. */
export async function followLogs(
  logs: ConnectionLogs,
  profileId: string,
  opts: FollowOptions,
  sink: FollowSink,
): Promise<string | undefined> {
  const pollMs = opts.pollMs ?? 250;
  let current: AttemptInfo | undefined;
  let offset = 0;
  let partial: Buffer = Buffer.alloc(0);
  while (!opts.signal.aborted) {
    const listed = logs.list(profileId);
    if (!listed.ok) return listed.error.message;
    const next =
      opts.attempt === undefined ? listed.value.at(-1) : listed.value.find((a) => a.attempt === opts.attempt);
    if (current) {
      // Finish the current file before switching, so nothing written to it is lost.
      const chunk = await readFrom(current.file, offset);
      offset += chunk.length;
      partial = emit(Buffer.concat([partial, chunk]), current, sink);
    }
    if (next && next.attempt !== current?.attempt) {
      current = next;
      offset = 0;
      partial = Buffer.alloc(0);
      sink.attempt(next);
      continue;
    }
    try {
      await sleep(pollMs, undefined, { signal: opts.signal });
    } catch {
      break;
    }
  }
  return undefined;
}

/** Emits each complete line; returns the unfinished rest (bytes: a UTF-8 character may be split). */
function emit(bytes: Buffer, info: AttemptInfo, sink: FollowSink): Buffer {
  const end = bytes.lastIndexOf(0x0a);
  if (end < 0) return bytes;
  for (const e of decodeRecords(bytes.subarray(0, end + 1).toString('utf8')).entries) sink.entry(e, info);
  return bytes.subarray(end + 1);
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return Buffer.alloc(0); // rotated away meanwhile
  }
  try {
    const { size } = await fh.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
