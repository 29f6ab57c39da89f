import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/engine/clock.js';
import { EchoMonitor } from '../../../../main/engine/ppp/echo.js';

function make(intervalMs = 10_000) {
  const clock = new ManualClock();
  const echoes: number[] = [];
  const dead: number[] = [];
  const m = new EchoMonitor({
    clock,
    intervalMs,
    sendEcho: () => echoes.push(clock.now()),
    dead: () => dead.push(clock.now()),
  });
  return { clock, echoes, dead, m };
}

describe('dead-peer detection', () => {
  it('sends nothing while frames keep arriving', () => {
    const { clock, echoes, dead, m } = make();
    m.start();
    for (let t = 0; t < 100_000; t += 1000) {
      m.heard();
      clock.advance(1000);
    }
    assert.deepEqual(echoes, []);
    assert.deepEqual(dead, []);
  });

  // Silence starting at different points of the tick cycle: the verdict always comes within two intervals.
  for (const offset of [1, 2_500, 4_999, 5_000]) {
    it(`declares the peer dead within 2 intervals of silence (last frame ${offset} ms into a tick)`, () => {
      const { clock, echoes, dead, m } = make();
      m.start();
      for (let t = 0; t < 20_000; t += 1000) {
        m.heard();
        clock.advance(1000);
      }
      clock.advance(offset);
      m.heard();
      const lastHeard = clock.now();
      clock.advance(60_000);
      assert.equal(dead.length, 1);
      const silence = (dead[0] ?? 0) - lastHeard;
      assert.ok(silence <= 20_000, `silence ${silence} ms`);
      assert.ok(silence > 10_000, `silence ${silence} ms`);
      assert.equal(echoes.filter((t) => t > lastHeard).length, 2);
      assert.equal(clock.pending, 0);
    });
  }

  it('an answer to an echo keeps the link alive', () => {
    const { clock, echoes, dead, m } = make();
    m.start();
    let answered = 0;
    for (let i = 0; i < 40; i++) {
      clock.advance(5_000);
      if (echoes.length > answered) {
        answered = echoes.length;
        m.heard();
      }
    }
    assert.ok(echoes.length > 0);
    assert.deepEqual(dead, []);
  });

  it('stop() cancels the timer', () => {
    const { clock, m } = make();
    m.start();
    m.stop();
    assert.equal(clock.pending, 0);
  });
});
