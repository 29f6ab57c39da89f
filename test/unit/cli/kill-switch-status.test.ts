// `causeway status` says when the kill switch bites: blocking while the tunnel is not up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStatus } from '../../../main/cli/status-format.js';
import { statusTracker, type ObservedTunnel } from '../../../main/cli/tunnel-registration.js';
import type { TunnelState } from '../../../main/engine/datapath/tunnel.js';
import type { TunnelInfo } from '../../../main/engine/session.js';
import { tunnelStatusSchema } from '../../../main/services/runtime/control-protocol.js';

class ScriptedTunnel implements ObservedTunnel {
  state: TunnelState = { state: 'connecting', attempt: 1 };
  stats = undefined;
  private readonly listeners = new Set<(s: TunnelState) => void>();
  onState(l: (s: TunnelState) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  set(s: TunnelState): void {
    this.state = s;
    for (const l of this.listeners) l(s);
  }
}

const connected: TunnelState = {
  state: 'connected',
  interfaceName: 'causeway0',
  ipv4: { local: '192.168.30.10', peer: '192.168.30.1', dns: [] },
  mtu: 1400,
  routing: { mode: 'full' },
  dns: [],
  info: {} as TunnelInfo,
  reconnects: 0,
};

test('status: the kill switch blocks while connecting and reconnecting, not while connected', () => {
  const tunnel = new ScriptedTunnel();
  const tracker = statusTracker({
    name: 'Lab',
    profileId: null,
    server: 's',
    tunnel,
    now: () => 0,
    pid: 5,
    killSwitch: 'on',
  });
  let s = tracker.status();
  assert.deepEqual(s.killSwitch, { mode: 'on', blocking: true });
  assert.ok(tunnelStatusSchema.safeParse(s).success, 'what the control socket sends validates');
  assert.match(formatStatus([s], 0), /^ {2}kill switch on: traffic blocked \(the tunnel is not up\)$/m);
  tunnel.set(connected);
  s = tracker.status();
  assert.deepEqual(s.killSwitch, { mode: 'on', blocking: false });
  assert.match(formatStatus([s], 0), /^ {2}kill switch on$/m);
  tunnel.set({
    state: 'reconnecting',
    attempt: 1,
    delayMs: 1000,
    reason: { phase: 'connected', code: 'dead-peer', message: 'The server stopped answering.' },
  });
  assert.deepEqual(tracker.status().killSwitch, { mode: 'on', blocking: true });
  tracker.dispose();
});

test('status: no kill switch line when it is off', () => {
  const tracker = statusTracker({
    name: 'Lab',
    profileId: null,
    server: 's',
    tunnel: new ScriptedTunnel(),
    now: () => 0,
  });
  const s = tracker.status();
  assert.equal(s.killSwitch, undefined);
  assert.doesNotMatch(formatStatus([s], 0), /kill switch/);
  tracker.dispose();
});
