// What a connection's snapshot says about its kill switch: shown while it is in force, `blocking`
// while the tunnel is not carrying traffic (so the app can say "traffic blocked"). An `on` switch is
// lifted when the connection is over (disconnected, failed); an `always` one stays.
import type { ConnectionState, KillSwitchView } from '../../contract/model.js';

/** The states in which an `on` switch is still armed: the VPN is wanted. */
const WANTED: ReadonlySet<string> = new Set([
  'connecting',
  'connected',
  'reconnecting',
  'checking',
  'waiting-for-network',
  'disconnecting',
]);

export function killSwitchView(
  mode: 'on' | 'always' | undefined,
  state: ConnectionState,
): { readonly killSwitch?: KillSwitchView } {
  if (mode === undefined || (mode === 'on' && !WANTED.has(state.state))) return {};
  return { killSwitch: { mode, blocking: state.state !== 'connected' } };
}
