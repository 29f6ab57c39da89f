// A connection snapshot's kill switch: shown while in force, blocking while the tunnel is not up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectionState } from '../../../main/contract/model.js';
import { killSwitchView } from '../../../main/services/kill-switch/kill-switch-view.js';

const failure = { phase: 'tcp', code: 'network-unreachable', message: 'x' } as unknown as Extract<
  ConnectionState,
  { state: 'error' }
>['failure'];
const connecting = { state: 'connecting', phase: 'tcp', attempt: 1 } as ConnectionState;
const connected = { state: 'connected' } as unknown as ConnectionState;
const reconnecting: ConnectionState = { state: 'reconnecting', retry: 1, retryAt: 0, failure };
const disconnected: ConnectionState = { state: 'disconnected' };
const error: ConnectionState = { state: 'error', failure };

test('kill switch view per mode and state', () => {
  const cases: [Parameters<typeof killSwitchView>[0], ConnectionState, ReturnType<typeof killSwitchView>][] = [
    [undefined, connecting, {}],
    ['on', connecting, { killSwitch: { mode: 'on', blocking: true } }],
    ['on', connected, { killSwitch: { mode: 'on', blocking: false } }],
    ['on', reconnecting, { killSwitch: { mode: 'on', blocking: true } }],
    ['on', disconnected, {}],
    ['on', error, {}],
    ['always', disconnected, { killSwitch: { mode: 'always', blocking: true } }],
    ['always', error, { killSwitch: { mode: 'always', blocking: true } }],
    ['always', connected, { killSwitch: { mode: 'always', blocking: false } }],
  ];
  for (const [mode, state, expected] of cases)
    assert.deepEqual(killSwitchView(mode, state), expected, `${mode} ${state.state}`);
});
