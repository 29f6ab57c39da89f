// The importers' front door: one call for "import this file", whatever it is.
import { parseCauseway } from './causeway-format.js';
import { decodeText } from './decode.js';
import { detectFromLines } from './detect.js';
import { displayFileName } from './diagnostics.js';
import { parseMikrotik } from './mikrotik.js';
import { parseNmConnection } from './nmconnection.js';
import { parsePbk } from './pbk.js';
import { parseSstpc } from './sstpc.js';
import type { ImportFormat, ImportResult } from './types.js';

const PARSERS: Record<ImportFormat, (file: string, lines: readonly string[]) => ImportResult> = {
  pbk: parsePbk,
  nmconnection: parseNmConnection,
  mikrotik: parseMikrotik,
  sstpc: parseSstpc,
  causeway: parseCauseway,
};

/**
 * Reads a file's bytes as whichever supported format it is. Pure: nothing is saved; secrets come back
 * in each profile's `secrets` for the caller to put in the keychain. `format` overrides detection.
 */
export function importFile(fileName: string, bytes: Uint8Array, format?: ImportFormat): ImportResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  if (!decoded.ok) return decoded;
  const lines = decoded.value.lines;
  const detected = format ? { ok: true as const, format } : detectFromLines(fileName, file, lines);
  if (!detected.ok) return detected;
  return PARSERS[detected.format](file, lines);
}

export { exportProfiles, importCauseway, CAUSEWAY_FORMAT, CAUSEWAY_FORMAT_VERSION } from './causeway-format.js';
export { detectFormat, type DetectResult } from './detect.js';
export { importMikrotik } from './mikrotik.js';
export { importNmConnection } from './nmconnection.js';
export { importPbk } from './pbk.js';
export { importSstpc } from './sstpc.js';
export { decodeText, type DecodedText, type TextEncodingName } from './decode.js';
export * from './types.js';
