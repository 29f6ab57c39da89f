// The one parser for a whole-number command-line value with a range (--mtu, --mru, --auth-wait, bench's
// --seconds…): a typed Result whose error names the flag, the range and what was typed, so every flag
// refuses "15x", "1e3", "0x10" or "" the same way (Number() alone would take the last three).
import type { Result } from '../engine/result.js';

export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

export interface IntegerOption {
  /** The flag as the user typed it, e.g. "--mtu". */
  readonly flag: string;
  readonly range: IntegerRange;
  /** What one unit is, for the message ("seconds" → "a whole number of seconds from 5 to 600"). */
  readonly unit?: string;
}

/** Decimal digits only (surrounding blanks forgiven): no sign, exponent, hex or fraction. */
const DIGITS = /^\d+$/;

export function parseIntegerOption(text: string, option: IntegerOption): Result<number, string> {
  const { flag, range, unit } = option;
  const trimmed = text.trim();
  const n = DIGITS.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= range.min && n <= range.max) return { ok: true, value: n };
  const what = unit === undefined ? 'a whole number' : `a whole number of ${unit}`;
  return { ok: false, error: `${flag} must be ${what} from ${range.min} to ${range.max}, got '${text}'` };
}

/** The same, for a flag that may be left out: its default then, unchecked. */
export function parseOptionalIntegerOption(
  text: string | undefined,
  option: IntegerOption,
  fallback: number,
): Result<number, string> {
  return text === undefined ? { ok: true, value: fallback } : parseIntegerOption(text, option);
}
