// The read arena (transport/read-arena.ts) driven as Node's onread drives it: next() for the buffer
// of each read, the read's bytes written into it, took() with their count. Bytes handed out must never
// be written again before release() — the reads that follow go elsewhere — and chunks are reused
// after it. And ReadBursts (read-bursts.ts): lent or copied, flush before release, no release while
// the reader still holds bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArenaReads, ReadArena } from '../../../../main/engine/transport/read-arena.js';
import { ReadBursts } from '../../../../main/engine/transport/read-bursts.js';

/** A deterministic stream of read sizes (1 .. 16 KiB + a little, like TLS records and their tails). */
function sizes(n: number, seed = 7): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return 1 + (x % (16 * 1024 + 40));
  });
}

/** One read as Node does it: fill the handed-out buffer with `fill`, then took(). */
function read(arena: ReadArena, n: number, fill: number): Buffer {
  const region = arena.next();
  assert.ok(region.length >= 1);
  const k = Math.min(n, region.length);
  region.fill(fill, 0, k);
  return arena.took(k, region);
}

describe('ReadArena', () => {
  it('never writes bytes it handed out before release(): every view keeps its bytes', () => {
    const arena = new ReadArena({ chunkBytes: 64 * 1024, keep: 4 });
    const held: { view: Buffer; fill: number }[] = [];
    sizes(2_000).forEach((n, i) => {
      held.push({ view: read(arena, n, i & 0xff), fill: i & 0xff });
      // Every 37 reads: all views since the last release must still hold their bytes; then release
      // (after which those bytes may be written again, so their views are dropped).
      if (i % 37 === 36) {
        for (const h of held)
          assert.ok(
            h.view.every((b) => b === h.fill),
            `read ${i}: a held view changed`,
          );
        held.length = 0;
        arena.release();
      }
    });
    for (const h of held)
      assert.ok(
        h.view.every((b) => b === h.fill),
        'a held view changed',
      );
  });

  it('hands out no region that overlaps a held view', () => {
    const arena = new ReadArena({ chunkBytes: 32 * 1024, minRegion: 1024, keep: 2 });
    const held: Buffer[] = [];
    for (const n of sizes(500, 3)) {
      const region = arena.next();
      for (const v of held) {
        const overlaps =
          v.buffer === region.buffer &&
          region.byteOffset < v.byteOffset + v.length &&
          v.byteOffset < region.byteOffset + region.length;
        assert.ok(!overlaps, 'the next read could land on held bytes');
      }
      const k = Math.min(n, region.length);
      held.push(arena.took(k, region));
    }
  });

  it('reuses released chunks: a long stream needs only a few', () => {
    const arena = new ReadArena({ chunkBytes: 64 * 1024 });
    sizes(10_000).forEach((n, i) => {
      read(arena, n, i);
      if (i % 8 === 7) arena.release();
    });
    // ~8 reads (≤ 130 KB) between releases: at most three chunks at once, plus the current one.
    assert.ok(arena.stats.allocated <= 4, `allocated ${arena.stats.allocated}`);
    assert.ok(arena.stats.reused > 1_000);
  });

  it('without release it never reuses, however long the stream', () => {
    const arena = new ReadArena({ chunkBytes: 64 * 1024 });
    for (const [i, n] of sizes(300).entries()) read(arena, n, i);
    assert.equal(arena.stats.reused, 0);
  });

  it('a read into a buffer it did not hand out comes back as a copy', () => {
    const arena = new ReadArena();
    arena.next();
    const foreign = Buffer.from([1, 2, 3, 4]);
    const got = arena.took(3, foreign);
    foreign.fill(9);
    assert.deepEqual([...got], [1, 2, 3]);
  });

  it('ArenaReads: reads before a consumer are copied and delivered first, in order', () => {
    const reads = new ArenaReads(new ReadArena({ chunkBytes: 32 * 1024, minRegion: 1024 }));
    const feed = (text: string) => {
      const region = reads.onread.buffer();
      const n = region.write(text);
      reads.onread.callback(n, region);
    };
    feed('early-1 ');
    feed('early-2 ');
    const got: string[] = [];
    reads.attach((b) => got.push(b.toString()));
    feed('later');
    assert.deepEqual(got, ['early-1 ', 'early-2 ', 'later']);
  });
});

describe('ReadBursts', () => {
  function setup(o: { lending: boolean; backlogged?: () => boolean; flushBytes?: number }) {
    const arena = new ReadArena({ chunkBytes: 64 * 1024 });
    const deferred: (() => void)[] = [];
    const log: string[] = [];
    const pushed: Buffer[] = [];
    const bursts = new ReadBursts({
      arena,
      push: (b) => pushed.push(b),
      lending: () => o.lending,
      flush: () => log.push('flush'),
      backlogged: o.backlogged ?? (() => false),
      defer: (fn) => deferred.push(fn),
      ...(o.flushBytes !== undefined ? { flushBytes: o.flushBytes } : {}),
    });
    const releases = () => arena.stats.releases;
    const run = () => deferred.splice(0).forEach((fn) => fn());
    return { arena, bursts, log, pushed, deferred, releases, run };
  }

  it('lending: the view itself goes on, flushed then released once after the burst', () => {
    const t = setup({ lending: true });
    const a = read(t.arena, 100, 1);
    const b = read(t.arena, 100, 2);
    t.bursts.read(a);
    t.bursts.read(b);
    assert.equal(t.pushed[0], a);
    assert.equal(t.deferred.length, 1, 'one end-of-burst per burst');
    assert.equal(t.releases(), 0);
    t.run();
    assert.deepEqual(t.log, ['flush']);
    assert.equal(t.releases(), 1);
  });

  it('not lending: a copy goes on, which later reads cannot change', () => {
    const t = setup({ lending: false });
    const a = read(t.arena, 10, 5);
    t.bursts.read(a);
    a.fill(0);
    assert.ok(t.pushed[0]?.every((x) => x === 5));
  });

  it('no release while the reader holds bytes; it comes on a later turn', () => {
    let backlog = true;
    const t = setup({ lending: true, backlogged: () => backlog });
    t.bursts.read(read(t.arena, 100, 1));
    t.run();
    assert.equal(t.releases(), 0);
    assert.equal(t.deferred.length, 1, 'tries again');
    backlog = false;
    t.run();
    assert.equal(t.releases(), 1);
  });

  it('a long burst is released in parts of flushBytes, each after a flush', () => {
    const t = setup({ lending: true, flushBytes: 1000 });
    for (let i = 0; i < 10; i++) t.bursts.read(read(t.arena, 300, i));
    // 300 × 10: released after the 4th read (1200) and the 8th (1200 again).
    assert.equal(t.releases(), 2);
    assert.deepEqual(t.log, ['flush', 'flush']);
  });

  it('after stop(), nothing is pushed, flushed or released', () => {
    const t = setup({ lending: true });
    t.bursts.read(read(t.arena, 10, 1));
    t.bursts.stop();
    t.bursts.read(read(t.arena, 10, 2));
    t.run();
    assert.equal(t.pushed.length, 1);
    assert.deepEqual(t.log, []);
    assert.equal(t.releases(), 0);
  });
});
