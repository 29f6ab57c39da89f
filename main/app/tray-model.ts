// What the tray shows, computed from state: one icon for the whole app and a menu of profiles.
// Pure, so it is unit-tested without Electron; tray.ts only renders it.
import type { ConnectionSnapshot, ConnectionStateName } from '../contract/model.js';

export type TrayIconState = 'disconnected' | 'connecting' | 'connected' | 'error';

export type TrayItem =
  | {
      readonly kind: 'profile';
      readonly profileId: string;
      readonly label: string;
      readonly action: 'connect' | 'disconnect';
      readonly enabled: boolean;
    }
  | { readonly kind: 'separator' }
  | { readonly kind: 'open' }
  | { readonly kind: 'quit' };

export interface TrayModel {
  readonly icon: TrayIconState;
  readonly tooltip: string;
  readonly items: readonly TrayItem[];
}

const WORD: Record<ConnectionStateName, string> = {
  disconnected: 'disconnected',
  connecting: 'connecting…',
  connected: 'connected',
  disconnecting: 'disconnecting…',
  reconnecting: 'reconnecting…',
  checking: 'checking…',
  'waiting-for-network': 'waiting for network…',
  error: 'failed',
  'pin-mismatch': 'certificate changed!',
};

// The most urgent state wins the icon: a failure must not hide behind another profile's success.
const RANK: Record<ConnectionStateName, [number, TrayIconState]> = {
  'pin-mismatch': [6, 'error'],
  error: [5, 'error'],
  reconnecting: [4, 'connecting'],
  'waiting-for-network': [4, 'connecting'],
  checking: [3, 'connecting'],
  connecting: [3, 'connecting'],
  connected: [2, 'connected'],
  disconnecting: [1, 'connecting'],
  disconnected: [0, 'disconnected'],
};

export function trayModel(
  profiles: readonly { id: string; name: string }[],
  snapshots: ReadonlyMap<string, ConnectionSnapshot>,
): TrayModel {
  let top: [number, TrayIconState] = [0, 'disconnected'];
  const lines: string[] = [];
  const items: TrayItem[] = profiles.map((p) => {
    const snap = snapshots.get(p.id);
    const state = snap?.state ?? 'disconnected';
    if (RANK[state][0] > top[0]) top = RANK[state];
    // With two profiles up, each line says which interface is its own.
    const via = snap?.state === 'connected' && snap.system ? ` via ${snap.system.interfaceName}` : '';
    if (state !== 'disconnected') lines.push(`${p.name}: ${WORD[state]}${via}`);
    const up =
      state === 'connected' ||
      state === 'connecting' ||
      state === 'reconnecting' ||
      state === 'checking' ||
      state === 'waiting-for-network';
    return {
      kind: 'profile',
      profileId: p.id,
      label: up
        ? `Disconnect ${p.name} (${WORD[state]})`
        : `Connect ${p.name}${state === 'disconnected' ? '' : ` (${WORD[state]})`}`,
      action: up ? 'disconnect' : 'connect',
      enabled: state !== 'disconnecting',
    };
  });
  return {
    icon: top[1],
    tooltip: ['Causeway', ...(lines.length ? lines : ['not connected'])].join('\n'),
    items: [...items, ...(items.length ? [{ kind: 'separator' as const }] : []), { kind: 'open' }, { kind: 'quit' }],
  };
}
