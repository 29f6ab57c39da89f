// Names the server family from what the server did, using the quirk table (quirks.ts).
import type { QuirkMatch } from '../../contract/doctor.js';
import type { Observations } from './observe.js';
import { SERVER_FAMILIES, type ServerFamily } from './quirks.js';

const THRESHOLD = 3;

export function recogniseServer(o: Observations, table: readonly ServerFamily[] = SERVER_FAMILIES): QuirkMatch[] {
  const scored = table
    .map((f) => {
      const hits = f.signals.filter((s) => safe(() => s.test(o)));
      return { f, hits, score: hits.reduce((n, s) => n + s.weight, 0) };
    })
    .filter((x) => x.score >= THRESHOLD)
    .sort((a, b) => b.score - a.score);
  return scored.map(({ f, hits }) => ({
    family: f.family,
    evidence: hits.map((s) => s.label),
    workarounds: f.workarounds,
    ...(f.notes !== undefined ? { notes: f.notes } : {}),
  }));
}

function safe(test: () => boolean): boolean {
  try {
    return test();
  } catch {
    return false;
  }
}
