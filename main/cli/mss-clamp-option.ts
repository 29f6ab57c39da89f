// `--mss-clamp <mss|mtu>` for `causeway connect`: lower the MSS of TCP SYNs crossing the tunnel (both
// ways) to what `causeway doctor` recommended, or to the tunnel MTU − 40 with "mtu".

export type MssClampOption =
  { readonly ok: true; readonly value: number | 'mtu' | undefined } | { readonly ok: false; readonly error: string };

export const MSS_CLAMP_HELP =
  'lower the TCP MSS of SYNs through the tunnel to this (536-4051, e.g. what `causeway doctor` recommends), or "mtu" for the tunnel MTU − 40';

export function parseMssClamp(text: string | undefined): MssClampOption {
  if (text === undefined) return { ok: true, value: undefined };
  if (text === 'mtu') return { ok: true, value: 'mtu' };
  const n = Number(text);
  // 536: the IPv4 default MSS (RFC 9293 §3.7.1); 4051: SSTP's 4095-byte packet minus headers.
  if (!/^\d+$/.test(text) || n < 536 || n > 4051)
    return { ok: false, error: '--mss-clamp must be "mtu" or a number between 536 and 4051' };
  return { ok: true, value: n };
}
