// Which importer a file is for. Content decides when it is unmistakable (people rename files, and
// NetworkManager keyfiles often have no extension at all); the extension decides otherwise.
import { decodeText } from './decode.js';
import { displayFileName, importError } from './diagnostics.js';
import { NM_SSTP_SERVICE } from './nmconnection.js';
import type { ImportError, ImportFormat } from './types.js';

export type DetectResult =
  { readonly ok: true; readonly format: ImportFormat } | { readonly ok: false; readonly error: ImportError };

const BY_EXTENSION: Record<string, ImportFormat> = {
  pbk: 'pbk',
  nmconnection: 'nmconnection',
  rsc: 'mikrotik',
  json: 'causeway',
  sh: 'sstpc',
};

/** The format the text itself shows, if it shows one clearly. */
export function sniffFormat(lines: readonly string[]): ImportFormat | undefined {
  const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  if (first.startsWith('{') || first.startsWith('[{')) return 'causeway';
  let iniSections = 0;
  let pbkKeys = 0;
  let nmSections = 0;
  for (const raw of lines) {
    const l = raw.trim();
    if (l.startsWith('service-type=org.freedesktop.NetworkManager.') || l === `service-type=${NM_SSTP_SERVICE}`)
      return 'nmconnection';
    if (/^\/interface[ /]sstp-client\b/.test(l)) return 'mikrotik';
    if (l.startsWith('#')) continue;
    if (/^(\S*\/)?sstpc\s|^(sudo|exec|nohup)\s+(\S*\/)?sstpc\s|^(\S*\/)?pppd\s.*\bpty\s+["']?(\S*\/)?sstpc\s/.test(l))
      return 'sstpc';
    if (/^\[.*\]$/.test(l)) iniSections++;
    if (l === '[connection]' || l === '[vpn]') nmSections++;
    if (/^(PhoneNumber|VpnStrategy|PBVersion|MEDIA|DEVICE|PreferredDevice)=/i.test(l)) pbkKeys++;
  }
  if (nmSections >= 2) return 'nmconnection';
  if (iniSections > 0 && pbkKeys > 0) return 'pbk';
  return undefined;
}

export function formatFromExtension(fileName: string): ImportFormat | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  return m ? BY_EXTENSION[(m[1] ?? '').toLowerCase()] : undefined;
}

export function detectFormat(fileName: string, bytes: Uint8Array): DetectResult {
  const file = displayFileName(fileName);
  const decoded = decodeText(file, bytes);
  if (!decoded.ok) return decoded;
  return detectFromLines(fileName, file, decoded.value.lines);
}

export function detectFromLines(fileName: string, file: string, lines: readonly string[]): DetectResult {
  const format = sniffFormat(lines) ?? formatFromExtension(fileName);
  if (format) return { ok: true, format };
  const message =
    'cannot tell what this file is; Causeway imports Windows phonebooks (.pbk), NetworkManager connections (.nmconnection), ' +
    'MikroTik exports (.rsc), sstpc command lines and its own exports (.json)';
  return { ok: false, error: importError('unknown-format', file, 0, message) };
}
