// The read budget with an injected clock and turn scheduler: cheap chunks pass straight through;
// once a turn's work passes the budget the socket is paused, the backlog is fed in slices across
// turns, in order, and the socket resumed when it is worked off.
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
    sliceBytes: 100,
    now: () => now,
    defer: (fn) => turns.push(fn),
  });
  return { reader, got, calls, turns, runTurn: () => turns.shift()?.() };
}

test('cheap chunks go straight through, whole, with no pause and no deferred turn', () => {
  const r = rig(0.001);
  for (let i = 0; i < 10; i++) r.reader.push(Buffer.alloc(1000, i));
  assert.equal(r.got.length, 10);
  assert.ok(r.got.every((b) => b.length === 1000));
  assert.deepEqual(r.calls, []);
  assert.equal(r.turns.length, 0);
});

test('an expensive backlog is fed in slices across turns, in order, then the socket resumes', () => {
  const r = rig(0.02); // 100-byte slice = 2 ms; a 1000-byte chunk = 20 ms
  const input = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
  r.reader.push(input.subarray(0, 1000)); // over budget: pressure from now on
  r.reader.push(input.subarray(1000, 2000));
  r.reader.push(input.subarray(2000));
  assert.deepEqual(r.calls, ['pause']);
  assert.ok(r.reader.backlogged);
  let turns = 0;
  while (r.turns.length > 0) {
    const before = r.got.length;
    r.runTurn();
    turns++;
    assert.ok(r.got.length - before <= 3, 'at most budget/slice-cost slices per turn');
  }
  assert.ok(turns >= 6, `${turns} turns`); // 20 slices of 2 ms, 3 per 5 ms turn
  assert.deepEqual(Buffer.concat(r.got), input, 'every byte, in order');
  assert.ok(r.got.slice(1).every((b) => b.length <= 100));
  assert.deepEqual(r.calls, ['pause', 'resume']);
  assert.equal(r.reader.backlogged, false);
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
