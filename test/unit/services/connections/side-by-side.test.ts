// Two connected profiles in the app: what cannot run side by side is refused before any helper starts
// (the rules of side-by-side.ts), with a message naming both; what can runs with a plane each, and a
// disconnect of one leaves the other up and frees what it held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sideBySideConflict, type TunnelClaim } from '../../../../main/services/connections/side-by-side.js';
import type { DataPlaneProvider } from '../../../../main/services/connections/ports.js';
import { recordingPlane } from './recording-plane.js';
import { PASSWORD, setup } from './setup.js';

const split = (name: string, ...routes: string[]): TunnelClaim => ({
  name,
  routing: { mode: 'split', routes },
  killSwitch: false,
});
const full = (name: string, killSwitch = false): TunnelClaim => ({ name, routing: { mode: 'full' }, killSwitch });

test('rules: one full tunnel beside split ones, different routes and overlapping prefixes are fine', () => {
  assert.equal(sideBySideConflict(split('B', '10.2.0.0/16'), [full('A'), split('C', '10.3.0.0/16')]), null);
  assert.equal(sideBySideConflict(full('B'), [split('A', '10.1.0.0/16')]), null);
  // The longest prefix wins in the kernel: a more specific route beside a wider one is what was asked.
  assert.equal(sideBySideConflict(split('B', '10.1.2.0/24'), [split('A', '10.1.0.0/16')]), null);
  assert.equal(sideBySideConflict(full('A'), []), null);
});

test('rules: two full tunnels, one route twice (as the kernel keys it), a kill switch beside anything', () => {
  const two = sideBySideConflict(full('B'), [split('X', '10.9.0.0/16'), full('A')]);
  assert.equal(two?.kind, 'two-full-tunnels');
  assert.equal(two?.with, 'A');
  assert.match(
    two?.message ?? '',
    /"A" is connected as a full tunnel.*Disconnect "A" first, or give one of them split/,
  );

  // 10.1.2.3/16 and 10.1.0.0/16 are one prefix; a bare address is its /32.
  const same = sideBySideConflict(split('B', '10.5.0.0/16', '10.1.2.3/16'), [split('A', '10.1.0.0/16')]);
  assert.equal(same?.kind, 'same-route');
  assert.equal(same?.kind === 'same-route' && same.route, '10.1.0.0/16');
  assert.match(same?.message ?? '', /Route 10\.1\.0\.0\/16 is in both "A" \(connected\) and "B"/);
  const host = sideBySideConflict(split('B', '10.7.7.7'), [split('A', '10.7.7.7/32')]);
  assert.equal(host?.kind === 'same-route' && host.route, '10.7.7.7/32');

  const mine = sideBySideConflict({ ...split('B', '10.2.0.0/16'), killSwitch: true }, [split('A', '10.1.0.0/16')]);
  assert.equal(mine?.kind, 'kill-switch');
  assert.match(mine?.message ?? '', /^"B" has the kill switch on.*Disconnect "A" first, or turn the kill switch off/);
  const theirs = sideBySideConflict(split('B', '10.2.0.0/16'), [full('A', true)]);
  assert.match(theirs?.message ?? '', /^"A" has the kill switch on/);
});

/** A recording plane that also answers killSwitchOn from a set of profile names. */
function planeWith(killSwitchFor: ReadonlySet<string> = new Set()) {
  const plane = recordingPlane();
  const provider: DataPlaneProvider = { ...plane.provider, killSwitchOn: (p) => killSwitchFor.has(p.name) };
  return { plane, provider };
}

async function twoProfiles(provider: DataPlaneProvider, lab: { routing: 'full' } | { routes: string[] }) {
  const t = await setup({ dataPlane: provider });
  await t.store.update(t.profile.id, (p) => ({ ...p, routing: { mode: 'split', routes: ['10.1.0.0/16'] } }));
  const added = await t.store.add({
    name: 'Lab',
    server: { host: 'lab.example.test' },
    username: 'bob',
    routing: 'routes' in lab ? { mode: 'split', routes: lab.routes } : { mode: 'full' },
  });
  if (!added.ok) throw new Error(added.error.message);
  return { t, office: t.profile.id, lab: added.value.id };
}

test('service: two split profiles with their own routes both connect, each with its own plane; one disconnect leaves the other up', async () => {
  const { plane, provider } = planeWith();
  const { t, office, lab } = await twoProfiles(provider, { routes: ['10.2.0.0/16'] });
  try {
    assert.deepEqual(await t.service.connect(office, { password: PASSWORD }), { ok: true });
    assert.deepEqual(await t.service.connect(lab, { password: PASSWORD }), { ok: true });
    assert.equal(plane.acquired, 2, 'one helper per connection');
    t.sessions[0]!.succeed();
    t.sessions[1]!.succeed();
    for (let i = 0; i < 5; i++) await t.tick();
    assert.equal(t.service.snapshot(office).state, 'connected');
    assert.equal(t.service.snapshot(lab).state, 'connected');

    await t.service.disconnect(office);
    assert.equal(plane.released, 1);
    assert.equal(t.service.snapshot(office).state, 'disconnected');
    assert.equal(t.service.snapshot(lab).state, 'connected');
    // Office's routes are free again: a third profile may take them now.
    const third = await t.store.add({
      name: 'Third',
      server: { host: 'third.example.test' },
      username: 'carol',
      routing: { mode: 'split', routes: ['10.1.0.0/16'] },
    });
    if (!third.ok) throw new Error(third.error.message);
    assert.deepEqual(await t.service.connect(third.value.id, { password: PASSWORD }), { ok: true });
  } finally {
    await t.service.shutdown();
    await t.cleanup();
  }
});

test('service: the same route, two full tunnels and a kill switch are refused before a helper starts, with the reason in the log', async () => {
  const { plane, provider } = planeWith(new Set(['Lab']));
  const { t, office, lab } = await twoProfiles(provider, { routes: ['10.1.0.0/16'] });
  try {
    assert.deepEqual(await t.service.connect(office, { password: PASSWORD }), { ok: true });
    // Lab has the kill switch on (and Office's route): the kill switch is said first.
    const r = await t.service.connect(lab, { password: PASSWORD });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.kind, 'side-by-side');
    assert.equal(r.error.kind === 'side-by-side' && r.error.conflict, 'kill-switch');
    assert.equal(r.error.kind === 'side-by-side' && r.error.with, 'Office');
    assert.equal(plane.acquired, 1, 'no helper for the refused connection');
    assert.equal(t.service.snapshot(lab).state, 'disconnected');
    const attempts = t.logs.list(lab);
    assert.ok(attempts.ok && attempts.value.length === 1);
    const logged = await t.logs.read(lab, attempts.value[0]!.attempt);
    assert.ok(
      logged.ok && logged.value.entries.some((l) => /not started: "Lab" has the kill switch on/.test(l.message)),
      JSON.stringify(logged),
    );
  } finally {
    await t.service.shutdown();
    await t.cleanup();
  }
});

test('service: a second full tunnel is refused while the first is only connecting, and allowed once it is gone', async () => {
  const { plane, provider } = planeWith();
  const { t, office, lab } = await twoProfiles(provider, { routing: 'full' });
  try {
    await t.store.update(office, (p) => ({ ...p, routing: { mode: 'full' } }));
    assert.deepEqual(await t.service.connect(office, { password: PASSWORD }), { ok: true });
    assert.equal(t.service.snapshot(office).state, 'connecting');
    const r = await t.service.connect(lab, { password: PASSWORD });
    assert.equal(!r.ok && r.error.kind === 'side-by-side' && r.error.conflict, 'two-full-tunnels');
    assert.equal(plane.acquired, 1);
    await t.service.disconnect(office);
    assert.deepEqual(await t.service.connect(lab, { password: PASSWORD }), { ok: true });
    assert.equal(plane.acquired, 2);
  } finally {
    await t.service.shutdown();
    await t.cleanup();
  }
});

test('service: without a system data plane (session-only tunnels) nothing is shared, so nothing is refused', async () => {
  const t = await setup();
  try {
    const other = await t.store.add({ name: 'Lab', server: { host: 'lab.example.test' }, username: 'bob' });
    if (!other.ok) throw new Error(other.error.message);
    assert.deepEqual(await t.service.connect(t.profile.id, { password: PASSWORD }), { ok: true });
    assert.deepEqual(await t.service.connect(other.value.id, { password: PASSWORD }), { ok: true });
  } finally {
    await t.service.shutdown();
    await t.cleanup();
  }
});
