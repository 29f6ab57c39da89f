// `causeway status` as text. Pure: the clock comes in as `now`.
import type { TunnelStatus } from '../services/runtime/control-protocol.js';

export function uptimeMs(t: TunnelStatus, now: number): number | null {
  return t.connectedAt === null ? null : Math.max(0, now - t.connectedAt);
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts =
    d > 0
      ? [`${d}d`, `${h}h`, `${m}m`]
      : h > 0
        ? [`${h}h`, `${m}m`, `${s % 60}s`]
        : m > 0
          ? [`${m}m`, `${s % 60}s`]
          : [`${s % 60}s`];
  return parts.join(' ');
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i] ?? 'TB'}`;
}

/** The state as a person reads it; the two waits say what they wait for. */
const STATE_WORDS: Record<TunnelStatus['state'], string> = {
  connecting: 'connecting',
  connected: 'connected',
  checking: 'checking (woke up or the network changed; waiting for the server to answer)',
  reconnecting: 'reconnecting',
  'waiting-for-network': 'waiting for network (no route to the server; reconnects as soon as there is one)',
  disconnected: 'disconnected',
};

export function formatStatus(tunnels: readonly TunnelStatus[], now: number): string {
  if (tunnels.length === 0) return 'No tunnels are up.\n';
  const blocks = tunnels.map((t) => {
    const lines = [`${t.name}: ${STATE_WORDS[t.state]} (pid ${t.pid})`, `  server     ${t.server}`];
    for (const k of t.skipped ?? []) lines.push(`  skipped    ${k.server}: ${k.reason}`);
    if (t.interface) lines.push(`  interface  ${t.interface}`);
    if (t.killSwitch)
      lines.push(
        `  kill switch ${t.killSwitch.mode}${t.killSwitch.blocking ? ': traffic blocked (the tunnel is not up)' : ''}`,
      );
    if (t.ipv4) lines.push(`  address    ${t.ipv4.address}${t.ipv4.peer ? ` → ${t.ipv4.peer}` : ''}`);
    if (t.state === 'connected') {
      lines.push(
        `  routes     ${t.routes.join(', ') || '(peer only)'}`,
        `  DNS        ${t.dns.join(', ') || '(unchanged)'}`,
      );
    }
    const up = uptimeMs(t, now);
    if (up !== null)
      lines.push(
        `  uptime     ${formatDuration(up)}${t.reconnects > 0 ? ` (reconnected ${t.reconnects} time${t.reconnects === 1 ? '' : 's'})` : ''}`,
      );
    lines.push(
      `  traffic    in ${formatBytes(t.bytes.rx)} (${t.packets.rx} packets), out ${formatBytes(t.bytes.tx)} (${t.packets.tx} packets)`,
    );
    if (t.state !== 'connected' && t.lastFailure) lines.push(`  last error ${t.lastFailure.message}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n') + '\n';
}
