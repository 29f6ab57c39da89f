// `causeway connect A B C`: what is refused before anything starts, and the order of the clean stop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionPlan } from '../../../main/cli/commands/connect-plan.js';
import { refuseConflicts, refuseSingleOptions } from '../../../main/cli/commands/connect-many.js';
import { StopGroup } from '../../../main/cli/commands/connect-stops.js';

function plan(arg: string, over: Partial<SessionPlan> = {}): SessionPlan {
  return {
    arg,
    target: { kind: 'address', config: {} as never, secrets: [] },
    profile: undefined,
    configDir: '/nonexistent',
    routing: { mode: 'split', routes: [] },
    dns: false,
    reconnect: { enabled: true },
    killSwitch: { mode: 'off' },
    keepaliveSeconds: 20,
    mssClamp: undefined,
    otp: undefined,
    ...over,
  };
}

const split = (...routes: string[]) => ({ routing: { mode: 'split' as const, routes } });

describe('causeway connect of several targets: refusals', () => {
  it('accepts split tunnels with their own routes, and one full tunnel beside them', () => {
    assert.deepEqual(
      refuseConflicts([
        plan('a', split('10.1.0.0/16')),
        plan('b', split('10.2.0.0/16')),
        plan('c', { routing: { mode: 'full' } }),
      ]),
      { ok: true },
    );
  });

  it('refuses two full tunnels, naming both and what to do', () => {
    const r = refuseConflicts([plan('a', { routing: { mode: 'full' } }), plan('b', { routing: { mode: 'full' } })]);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /a and b are all full tunnels/);
      assert.match(r.message, /only the last one up would carry any/);
      assert.match(r.message, /split routes/);
    }
  });

  it('refuses one route in two sessions', () => {
    const r = refuseConflicts([plan('a', split('10.1.0.0/16')), plan('b', split('10.3.0.0/16', '10.1.0.0/16'))]);
    assert.ok(!r.ok && /route 10\.1\.0\.0\/16 is in both a and b/.test(r.message));
  });

  it('refuses the kill switch (one nftables table per namespace), whichever session has it', () => {
    const r = refuseConflicts([plan('a'), plan('b', { killSwitch: { mode: 'always' } })]);
    assert.ok(!r.ok && /kill switch is on for b/.test(r.message) && /--kill-switch off/.test(r.message));
  });

  it('refuses a profile that asks for one-time codes', () => {
    const r = refuseConflicts([plan('a'), plan('b', { otp: 'append' })]);
    assert.ok(!r.ok && /b asks for one-time codes/.test(r.message));
  });

  it('refuses the options that name one thing', () => {
    for (const o of [
      { interface: 'vpn0' },
      { metrics: '127.0.0.1:9464' },
      { capture: 'x.pcapng' },
      { otpStdin: true },
    ]) {
      const r = refuseSingleOptions(o, 2);
      assert.ok(!r.ok && /^2 sessions in one `causeway connect`/.test(r.message), JSON.stringify(o));
    }
    assert.deepEqual(refuseSingleOptions({ route: ['10.0.0.0/8'], defaultRoute: false, dns: false }, 3), { ok: true });
  });
});

describe('StopGroup', () => {
  it('stops the sessions still connecting at once, then the ones up, last one up first, one at a time', async () => {
    const group = new StopGroup();
    const order: string[] = [];
    let running = 0;
    let overlap = false;
    const stopper = (name: string) => async () => {
      running += 1;
      if (running > 1 && name !== 'connecting') overlap = true;
      order.push(`${name} start`);
      await new Promise((r) => setImmediate(r));
      order.push(`${name} end`);
      running -= 1;
    };
    const a = group.member();
    const b = group.member();
    const c = group.member();
    a.onStop(stopper('a'));
    b.onStop(stopper('b'));
    c.onStop(stopper('connecting'));
    b.onFirstConnected?.();
    a.onFirstConnected?.();
    a.onFirstConnected?.(); // a reconnect: still second up
    await group.stopAll();
    assert.deepEqual(order, ['connecting start', 'connecting end', 'a start', 'a end', 'b start', 'b end']);
    assert.equal(overlap, false);
  });

  it('a session set up after the signal is stopped as soon as it subscribes; a second stopAll waits for the same', async () => {
    const group = new StopGroup();
    const first = group.stopAll();
    let stopped = 0;
    group.member().onStop(async () => {
      stopped += 1;
    });
    await Promise.all([first, group.stopAll()]);
    assert.equal(stopped, 1);
    assert.equal(group.stopped, true);
  });

  it('a session that ended on its own is not stopped again', async () => {
    const group = new StopGroup();
    let calls = 0;
    const m = group.member();
    const off = m.onStop(async () => {
      calls += 1;
    });
    m.onFirstConnected?.();
    off();
    await group.stopAll();
    assert.equal(calls, 0);
  });
});
