// `--mss-clamp <mss|mtu>` for `causeway connect`: lower the MSS of TCP SYNs crossing the tunnel (both
// ways) to what `causeway doctor` recommended, or to the tunnel MTU − 40 with "mtu".
import type { Result } from '../engine/result.js';
import { parseIntegerOption } from './integer-option.js';

export type MssClampOption = Result<number | 'mtu' | undefined, string>;

export const MSS_CLAMP_HELP =
  'lower the TCP MSS of SYNs through the tunnel to this (536-4051, e.g. what `causeway doctor` recommends), or "mtu" for the tunnel MTU − 40';

// 536: the IPv4 default MSS (RFC 9293 §3.7.1); 4051: SSTP's 4095-byte packet minus headers.
const MSS_CLAMP = { flag: '--mss-clamp', range: { min: 536, max: 4051 }, unit: 'bytes' } as const;

export function parseMssClamp(text: string | undefined): MssClampOption {
  if (text === undefined) return { ok: true, value: undefined };
  if (text === 'mtu') return { ok: true, value: 'mtu' };
  const n = parseIntegerOption(text, MSS_CLAMP);
  return n.ok ? n : { ok: false, error: `${n.error} (or "mtu")` };
}
