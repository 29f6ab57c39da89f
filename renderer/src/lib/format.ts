import type { ConnectionStateName } from '$contract';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** "AB:CD:…" in groups of four bytes, so a person can compare it piece by piece. */
export function fingerprintGroups(sha256: string): string[] {
  const bytes =
    sha256
      .replace(/[^0-9a-fA-F]/g, '')
      .toUpperCase()
      .match(/.{2}/g) ?? [];
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) groups.push(bytes.slice(i, i + 4).join(':'));
  return groups;
}

export const STATE_LABEL: Record<ConnectionStateName, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting',
  connected: 'Connected',
  disconnecting: 'Disconnecting',
  reconnecting: 'Reconnecting',
  checking: 'Checking',
  'waiting-for-network': 'Waiting for network',
  error: 'Failed',
  'pin-mismatch': 'Certificate changed',
};

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString();
}
