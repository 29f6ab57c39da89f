// The `state` label values of the metrics, one list per state union: the app's (the contract's
// ConnectionState) and one tunnel's (the engine's TunnelState, for `connect --metrics`). Each list is
// the keys of a Record over the union's names, so a state added to the union does not compile until
// it is named here too (the lists once missed 'checking' and 'waiting-for-network').
import type { ConnectionStateName } from '../../contract/model.js';
import type { TunnelState } from '../../engine/datapath/tunnel.js';

function namesOf<K extends string>(all: Record<K, true>): readonly K[] {
  // Object.keys gives string[]; the Record's type guarantees every key is a K and every K is there.
  return Object.keys(all) as K[];
}

export const CONNECTION_STATES = namesOf<ConnectionStateName>({
  disconnected: true,
  connecting: true,
  connected: true,
  checking: true,
  disconnecting: true,
  reconnecting: true,
  'waiting-for-network': true,
  error: true,
  'pin-mismatch': true,
});

export const TUNNEL_STATES = namesOf<TunnelState['state']>({
  connecting: true,
  connected: true,
  checking: true,
  reconnecting: true,
  'waiting-for-network': true,
  disconnected: true,
});
