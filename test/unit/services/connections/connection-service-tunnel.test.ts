// The service over the engine's Tunnel: the system data plane, per-attempt logs across reconnects,
// cancelling a connect in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure } from '../../../../main/engine/failure.js';
import { ipv4Packet, recordingPlane } from './recording-plane.js';
import { PASSWORD, setup } from './setup.js';

/** Lets promise chains (and the memory TUN's setImmediate reads) run. */
async function settle(tick: () => Promise<unknown>, n = 5) {
  for (let i = 0; i < n; i++) await tick();
}

test('with the system data plane: TUN, address, routes and DNS; the status names the interface; packets are pumped and counted; disconnect undoes it', async () => {
  const plane = recordingPlane();
  const t = await setup({ dataPlane: plane.provider });
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    assert.equal(plane.acquired, 1);
    t.sessions[0]!.succeed();
    await settle(t.tick);
    assert.deepEqual(plane.net.calls, [
      'create-tun',
      'configure 192.168.30.10 mtu 1500',
      'routes full keep 203.0.113.5',
      'dns 192.168.30.1',
    ]);
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'connected');
    if (snap.state !== 'connected') return;
    assert.equal(snap.dataPlane, 'tunnel');
    assert.deepEqual(snap.system, {
      interfaceName: 'causeway0',
      mtu: 1500,
      routes: ['0.0.0.0/0'],
      dns: ['192.168.30.1'],
    });

    // An application's packet: TUN → pump → one framed write into the session.
    plane.kernels[0]!.inject([ipv4Packet(100)]);
    await settle(t.tick);
    assert.equal(t.sessions[0]!.framed.length, 1);
    // The server's answer: session → pump → TUN.
    t.sessions[0]!.receive(ipv4Packet(60));
    assert.equal(plane.kernels[0]!.written.length, 1);
    t.clock.advance(1000);
    const moved = t.service.snapshot(t.profile.id);
    assert.equal(moved.state === 'connected' && moved.bytesOut, 100);
    assert.equal(moved.state === 'connected' && moved.bytesIn, 60);

    await t.service.disconnect(t.profile.id);
    assert.equal(plane.net.calls.at(-1), 'teardown');
    assert.equal(plane.released, 1, 'the helper is closed once the tunnel is down');
    assert.equal(t.service.snapshot(t.profile.id).state, 'disconnected');
  } finally {
    await t.cleanup();
  }
});

test('a helper that cannot start (polkit refused) ends the attempt with its reason; no session is made', async () => {
  const plane = recordingPlane({ fail: failure('tcp', 'cancelled', 'Causeway needs administrator permission') });
  const t = await setup({ dataPlane: plane.provider });
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    await settle(t.tick);
    assert.equal(t.sessions.length, 0);
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'error');
    if (snap.state === 'error') assert.match(snap.failure.message, /administrator permission/);
  } finally {
    await t.cleanup();
  }
});

test('the TUN and routes stay across a reconnect; each session attempt logs to its own file', async () => {
  const plane = recordingPlane();
  const t = await setup({ dataPlane: plane.provider });
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    const first = t.service.liveAttempt(t.profile.id);
    t.sessions[0]!.succeed();
    await settle(t.tick);
    plane.net.calls = [];
    t.sessions[0]!.drop(failure('connected', 'dead-peer', 'silent'));
    await settle(t.tick);
    assert.equal(t.service.snapshot(t.profile.id).state, 'reconnecting');
    t.clock.advance(1000);
    assert.equal(t.sessions.length, 2);
    assert.equal(t.service.snapshot(t.profile.id).state, 'connecting');
    const second = t.service.liveAttempt(t.profile.id);
    assert.ok(first !== null && second !== null && second > first, `attempt ${String(second)} after ${String(first)}`);
    t.sessions[1]!.succeed();
    await settle(t.tick);
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'connected');
    assert.equal(snap.state === 'connected' && snap.attempt, second);
    assert.deepEqual(plane.net.calls, [], 'same address: the interface was left alone');
    const lines = t.events.flatMap((e) => (e.type === 'log' ? [e.line] : []));
    assert.ok(
      lines.some((l) => l.attempt === first && l.entry.message.includes('session ended: dead-peer')),
      'the drop is logged in the attempt that dropped',
    );
    assert.ok(
      lines.some((l) => l.attempt === second && l.entry.message.includes('LCP ConfReq')),
      'the retry has its own log',
    );
    await t.service.disconnect(t.profile.id);
  } finally {
    await t.cleanup();
  }
});

test('disconnect while connecting cancels the session; the profile ends disconnected', async () => {
  const t = await setup();
  try {
    await t.service.connect(t.profile.id, { password: PASSWORD });
    await t.service.disconnect(t.profile.id);
    assert.equal(t.service.snapshot(t.profile.id).state, 'disconnected');
    assert.equal(await t.sessions[0]!.closed, null, 'the connecting session was told to disconnect');
    assert.equal(t.service.liveAttempt(t.profile.id), null);
  } finally {
    await t.cleanup();
  }
});

test("gives up after the profile's maximum attempts and shows the last failure", async () => {
  const t = await setup();
  try {
    await t.store.update(t.profile.id, (p) => ({ ...p, reconnect: { enabled: true, maxAttempts: 1 } }));
    await t.service.connect(t.profile.id, { password: PASSWORD });
    t.sessions[0]!.succeed();
    await settle(t.tick);
    t.sessions[0]!.drop(failure('connected', 'connection-lost', 'lost'));
    await settle(t.tick);
    t.clock.advance(1000);
    t.sessions[1]!.fail(failure('tcp', 'network-unreachable', 'unreachable'));
    await settle(t.tick);
    const snap = t.service.snapshot(t.profile.id);
    assert.equal(snap.state, 'error');
    if (snap.state === 'error') assert.equal(snap.failure.code, 'network-unreachable');
    assert.equal(t.sessions.length, 2);
  } finally {
    await t.cleanup();
  }
});
