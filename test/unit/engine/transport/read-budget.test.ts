// The read budget with an injected clock and turn scheduler: cheap chunks pass straight through;
// costly bytes are handed over in slices sized to the turn's budget, the socket paused while a
// backlog waits, fed across turns in order, and resumed when it is worked off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetedReader } from '../../../../main/engine/transport/read-budget.js';

function rig(costPerByte: number) {
  let now = 0;
  const turns: (() => void)[] = [];
  const got: Buffer[] = [];
  const calls: string[] = [];
  const reader = new BudgetedReader({
    consume: (b) => {
      got.push(Buffer.from(b));
      now += b.length * costPerByte; // the work this slice costs, in ms
    },
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    budgetMs: 5,
    probeBytes: 4096,
    minSliceBytes: 50,
    now: () => now,
    defer: (fn) => turns.push(fn),
  });
  // One event-loop iteration: everything deferred so far runs (in order).
  return { reader, got, calls, turns, runTurn: () => turns.splice(0).forEach((fn) => fn()) };
}

test('cheap chunks go straight through, whole, with no pause and no deferred turn', () => {
  const r = rig(0.0001); // 0.1 ms per 1000-byte chunk: 1 ms for all ten, within one 5 ms budget
  for (let i = 0; i < 10; i++) r.reader.push(Buffer.alloc(1000, i));
  assert.equal(r.got.length, 10);
  assert.ok(r.got.every((b) => b.length === 1000));
  assert.deepEqual(r.calls, []);
  assert.ok(r.turns.length <= 1, 'at most the end-of-iteration marker');
});

test('costly bytes: slices that fit the turn, across turns, in order, then the socket resumes', () => {
  const r = rig(0.02); // 0.02 ms per byte: 250 bytes fill a 5 ms turn
  const input = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
  r.reader.push(input.subarray(0, 1000)); // cost unknown yet: handed over whole (under the probe size)
  assert.deepEqual(r.calls, [], 'nothing waited');
  r.reader.push(input.subarray(1000, 2000));
  r.reader.push(input.subarray(2000));
  assert.deepEqual(r.calls, ['pause']);
  assert.ok(r.reader.backlogged);
  let turns = 0;
  while (r.turns.length > 0) {
    const before = Buffer.concat(r.got).length;
    r.runTurn();
    turns++;
    assert.ok(Buffer.concat(r.got).length - before <= 250, 'one turn stays within its budget');
  }
  // The first chunk used this iteration's budget up: one minimum slice, then 250 bytes per turn.
  assert.ok(turns >= 8 && turns <= 9, `${turns} turns`);
  assert.deepEqual(Buffer.concat(r.got), input, 'every byte, in order');
  assert.deepEqual(r.calls, ['pause', 'resume']);
  assert.equal(r.reader.backlogged, false);
});

test('cheap again after a flood: slices grow back to whole chunks within a few', () => {
  let cost = 0.02;
  let now = 0;
  const sizes: number[] = [];
  const reader = new BudgetedReader({
    consume: (b) => {
      sizes.push(b.length);
      now += b.length * cost;
    },
    pause: () => {},
    resume: () => {},
    now: () => now,
    defer: (fn) => fn(),
  });
  reader.push(Buffer.alloc(2000));
  cost = 0.00001;
  for (let i = 0; i < 8; i++) reader.push(Buffer.alloc(16_384));
  assert.equal(sizes.at(-1), 16_384);
  assert.ok(sizes.length < 30, `${sizes.length} slices`);
});

test('stop() drops the backlog and nothing is consumed after it', () => {
  const r = rig(0.02);
  r.reader.push(Buffer.alloc(1000));
  r.reader.push(Buffer.alloc(1000));
  const n = r.got.length;
  r.reader.stop();
  while (r.turns.length > 0) r.runTurn();
  r.reader.push(Buffer.alloc(10));
  assert.equal(r.got.length, n);
  assert.ok(!r.calls.includes('resume'), 'a stopped reader does not resume the socket');
});
