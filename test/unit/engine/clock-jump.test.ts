// The clock-jump detector on the manual clock: the wall and monotonic sources are the test's own,
// so a freeze (both moved, the tick late) and a suspend (the wall moved alone) are staged exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../main/engine/clock.js';
import { judgeTick, watchClockJumps, type ClockJump } from '../../../main/engine/clock-jump.js';

function staged() {
  const clock = new ManualClock();
  // Offsets the test adds to what the manual clock says: time that passed while the process did not run.
  let frozen = 0;
  let slept = 0;
  const jumps: ClockJump[] = [];
  const w = watchClockJumps({
    clock,
    monotonic: () => clock.now() + frozen,
    wall: () => clock.now() + frozen + slept,
    onJump: (j) => jumps.push(j),
  });
  return {
    clock,
    jumps,
    stop: () => w.stop(),
    freeze: (ms: number) => (frozen += ms),
    sleep: (ms: number) => (slept += ms),
  };
}

describe('judgeTick', () => {
  it('on time, or late or skewed within the slack: nothing', () => {
    assert.equal(judgeTick(1000, 1000, 1000, 2000), undefined);
    assert.equal(judgeTick(2900, 2900, 1000, 2000), undefined);
    assert.equal(judgeTick(1000, 2999, 1000, 2000), undefined);
  });
  it('a late tick is a freeze; a wall clock apart from the monotonic one is a suspend or a clock set', () => {
    assert.deepEqual(judgeTick(31_000, 31_000, 1000, 2000), { kind: 'frozen', ms: 30_000 });
    assert.deepEqual(judgeTick(1000, 3_601_000, 1000, 2000), { kind: 'wall', ms: 3_600_000 });
    assert.deepEqual(judgeTick(1000, -9000, 1000, 2000), { kind: 'wall', ms: -10_000 });
  });
});

describe('watchClockJumps', () => {
  it('quiet while time runs normally', () => {
    const s = staged();
    s.clock.advance(60_000);
    assert.deepEqual(s.jumps, []);
    s.stop();
  });

  it('a 30 s freeze (SIGSTOP) is reported at the first tick after it, once', () => {
    const s = staged();
    s.clock.advance(5_000);
    s.freeze(30_000);
    s.clock.advance(1_000);
    assert.deepEqual(s.jumps, [{ kind: 'frozen', ms: 30_000 }]);
    s.clock.advance(10_000);
    assert.equal(s.jumps.length, 1);
    s.stop();
  });

  it('a suspend (monotonic stopped, wall moved on) is reported as a wall jump', () => {
    const s = staged();
    s.clock.advance(2_000);
    s.sleep(600_000);
    s.clock.advance(1_000);
    assert.deepEqual(s.jumps, [{ kind: 'wall', ms: 600_000 }]);
    s.stop();
  });

  it('stop() leaves no timer', () => {
    const s = staged();
    s.stop();
    assert.equal(s.clock.pending, 0);
  });
});
