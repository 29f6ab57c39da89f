// Bytes → lines. Windows writes phonebooks as UTF-16LE with a BOM or in the ANSI code page; Linux tools
// write UTF-8, sometimes with a BOM. Anything that is not plausibly text is refused here, once, so the
// format readers only ever see bounded, NUL-free text.
import { diagnostic, importError } from './diagnostics.js';
import { LIMITS, type ImportError } from './types.js';
import type { Result } from '../../engine/result.js';

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  readonly encoding: TextEncodingName;
  /** Lines without their terminators (CRLF, LF or CR); lines[0] is line 1. */
  readonly lines: readonly string[];
}

export type TextDecodeResult = Result<DecodedText, ImportError>;

// Node's 'windows-1252' decoder is really ISO-8859-1: 0x80–0x9F come out as C1 controls. The code page
// puts punctuation there (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ); five slots are unassigned.
const CP1252_HIGH = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd,
  0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0xfffd, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    const codes = new Array<number>(end - start);
    for (let i = start; i < end; i++) {
      const b = bytes[i] ?? 0;
      codes[i - start] = b >= 0x80 && b <= 0x9f ? (CP1252_HIGH[b - 0x80] ?? 0xfffd) : b;
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/** UTF-16 without a BOM: text in the Latin range has a zero in every other byte. */
function guessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return undefined;
  let zeroOdd = 0;
  let zeroEven = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd > pairs * 0.9 && zeroEven < pairs * 0.1) return 'utf-16le';
  if (zeroEven > pairs * 0.9 && zeroOdd < pairs * 0.1) return 'utf-16be';
  return undefined;
}

function decodeBytes(bytes: Uint8Array): { encoding: TextEncodingName; text: string } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: 'utf-8-bom', text: new TextDecoder('utf-8').decode(bytes.subarray(3)) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { encoding: 'utf-16le', text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { encoding: 'utf-16be', text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  const utf16 = guessUtf16(bytes);
  if (utf16) return { encoding: utf16, text: new TextDecoder(utf16).decode(bytes) };
  if (bytes.includes(0)) return undefined;
  try {
    return { encoding: 'utf-8', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Not UTF-8: Windows tools wrote it in the ANSI code page.
    return { encoding: 'windows-1252', text: decodeWindows1252(bytes) };
  }
}

/** True when the text has more control characters than any configuration file would. */
function looksBinary(text: string): boolean {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f || c === 0xfffd) controls++;
  }
  return controls > 8 && controls > text.length / 100;
}

export function decodeText(file: string, bytes: Uint8Array): TextDecodeResult {
  if (bytes.length > LIMITS.maxBytes) {
    const message = `file is ${bytes.length} bytes; imports are limited to ${LIMITS.maxBytes} bytes (1 MiB) — is this the right file?`;
    return {
      ok: false,
      error: { code: 'too-large', size: bytes.length, limit: LIMITS.maxBytes, ...diagnostic(file, 0, message) },
    };
  }
  const decoded = decodeBytes(bytes);
  if (!decoded || looksBinary(decoded.text)) {
    return { ok: false, error: importError('not-text', file, 0, 'this is not a text file (binary data or NUL bytes)') };
  }
  return { ok: true, value: { encoding: decoded.encoding, lines: decoded.text.split(/\r\n|\n|\r/) } };
}
