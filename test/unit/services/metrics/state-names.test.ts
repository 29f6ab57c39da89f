// The metrics' `state` label lists cover their state unions exactly (checked by the compiler here and
// in state-names.ts), and every state, fed in, is the one label at 1 with all the others present at 0.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConnectionSnapshot, ConnectionStateName } from '../../../../main/contract/model.js';
import type { TunnelState } from '../../../../main/engine/datapath/tunnel.js';
import { failure } from '../../../../main/engine/failure.js';
import { AppMetrics } from '../../../../main/services/metrics/app-metrics.js';
import { createConnectionMetrics } from '../../../../main/services/metrics/connection-metrics.js';
import { CONNECTION_STATES, TUNNEL_STATES } from '../../../../main/services/metrics/state-names.js';
import { parsePromText, sampleValue } from '../../../support/prom-text.js';

// Compile-time: nothing of either union is missing from its list (a new state fails `tsc` here).
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const connectionExact: Exact<ConnectionStateName, (typeof CONNECTION_STATES)[number]> = true;
const tunnelExact: Exact<TunnelState['state'], (typeof TUNNEL_STATES)[number]> = true;

const dir = mkdtempSync(join(tmpdir(), 'cw-state-names-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the lists name each state once, the states added last session included', () => {
  assert.ok(connectionExact && tunnelExact);
  for (const list of [CONNECTION_STATES, TUNNEL_STATES]) {
    assert.equal(new Set(list).size, list.length);
    assert.ok(list.includes('checking') && list.includes('waiting-for-network'), list.join(', '));
  }
  assert.equal(CONNECTION_STATES.length, 9);
  assert.equal(TUNNEL_STATES.length, 6);
});

test('the app: each connection state is the one causeway_connection_state at 1, all others at 0', async () => {
  const m = new AppMetrics(join(dir, 'metrics.json'));
  for (const current of CONNECTION_STATES) {
    // The gauge reads only `state` (and a reconnect's failure code): the rest of each variant is left out.
    const failure = { phase: 'connected', code: 'connection-lost', message: 'lost' };
    m.onSnapshot({ profileId: 'p1', state: current, failure } as unknown as ConnectionSnapshot);
    const f = parsePromText(await m.registry.metrics());
    for (const name of CONNECTION_STATES) {
      const v = sampleValue(f, 'causeway_connection_state', { profile: 'p1', state: name });
      assert.equal(v, name === current ? 1 : 0, `${current}: ${name}`);
    }
  }
});

test('one tunnel: each tunnel state is the one causeway_tunnel_state at 1; waiting for the network is down', async () => {
  const m = createConnectionMetrics();
  const reason = failure('connected', 'connection-lost', 'lost');
  const states: Record<TunnelState['state'], TunnelState> = {
    connecting: { state: 'connecting', attempt: 1 },
    connected: { state: 'connected', info: { timings: [] } } as unknown as TunnelState,
    checking: { state: 'checking', reason: 'resume' },
    reconnecting: { state: 'reconnecting', attempt: 1, delayMs: 1000, reason },
    'waiting-for-network': { state: 'waiting-for-network', attempt: 1, reason },
    disconnected: { state: 'disconnected', reason: null },
  };
  for (const current of TUNNEL_STATES) {
    m.onTunnelState(states[current]);
    const f = parsePromText(await m.registry.metrics());
    for (const name of TUNNEL_STATES)
      assert.equal(
        sampleValue(f, 'causeway_tunnel_state', { state: name }),
        name === current ? 1 : 0,
        `${current}: ${name}`,
      );
    assert.equal(sampleValue(f, 'causeway_tunnel_up'), current === 'connected' ? 1 : 0, current);
  }
  m.onTunnelState(states.connected);
  m.onTunnelState(states['waiting-for-network']);
  assert.equal(sampleValue(parsePromText(await m.registry.metrics()), 'causeway_connected_since_seconds'), 0);
});
