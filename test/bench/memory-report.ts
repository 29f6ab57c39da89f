// memory.ts's tables for the `causeway connect` figures: one line per node-flag variant (medians
// over the runs), then, when probed, what the process's memory consisted of idle and at its peak.
import type { CliFigures } from './memory-cli.js';

const MB = (b: number | undefined) => (b === undefined ? '-' : (b / 1e6).toFixed(1));

export function printCli(
  runs: readonly (readonly CliFigures[])[],
  median: (xs: readonly number[]) => number,
  probed: readonly CliFigures[],
): void {
  console.log(
    'variant                              RSS idle MB  RSS peak MB  anon/file MB  CLI CPU-s/GB  MB/s   helper RSS MB',
  );
  for (const rs of runs) {
    const first = rs[0];
    if (first === undefined) continue;
    const m = (f: (x: CliFigures) => number) => median(rs.map(f));
    console.log(
      [
        first.variant.label.padEnd(36).slice(0, 36),
        m((x) => x.idleMb)
          .toFixed(1)
          .padStart(11),
        m((x) => x.peakMb)
          .toFixed(1)
          .padStart(12),
        `${m((x) => x.anonMb).toFixed(1)}/${m((x) => x.fileMb).toFixed(1)}`.padStart(13),
        m((x) => x.cpuSPerGB)
          .toFixed(2)
          .padStart(13),
        m((x) => x.mbPerS)
          .toFixed(1)
          .padStart(6),
        m((x) => x.helperMb)
          .toFixed(1)
          .padStart(15),
        `  (peaks ${rs.map((x) => x.peakMb.toFixed(1)).join(', ')}; node flags: ${first.actualFlags.join(' ') || 'none'})`,
      ].join(' '),
    );
  }
  for (const p of probed) {
    console.log(
      `\n${p.variant.label} + probe (${p.actualFlags.join(' ') || 'no flags'}): RSS idle ${p.idleMb} MB, peak ${p.peakMb} MB; maxima inside the process (MB):`,
    );
    const keys = Object.keys({ ...p.probeIdle, ...p.probePeak });
    console.log('                              idle    download');
    for (const k of keys)
      console.log(`  ${k.padEnd(26)} ${MB(p.probeIdle?.[k]).padStart(6)}  ${MB(p.probePeak?.[k]).padStart(8)}`);
  }
}
