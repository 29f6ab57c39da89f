// JSON.parse says nothing about where values were. These helpers recover line numbers for messages,
// scanning text that JSON.parse has already accepted (so the scan can be simple and cannot loop).

/** Line (1-based) of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Node 20 reports "… at position 42", newer engines "(line 3 column 5)", and for an unexpected token
 * V8 quotes the input around it instead ("…, \"…snippet…\" is not valid JSON"): then the snippet is
 * looked up in the text.
 */
export function lineOfJsonError(text: string, message: string): number {
  const lc = /line (\d+) column \d+/.exec(message);
  if (lc) return Number(lc[1]);
  const pos = /at position (\d+)/.exec(message);
  if (pos) return lineOfOffset(text, Number(pos[1]));
  const snippet = QUOTED_INPUT.exec(message)?.[1];
  if (snippet) {
    const at = text.indexOf(snippet);
    if (at >= 0) return lineOfOffset(text, at + snippet.length - 1);
  }
  return 0;
}

/** The part of a V8 JSON error that quotes the input (which may hold a secret). */
const QUOTED_INPUT = /, (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/;

/** A JSON.parse error message without any quoted input. */
export function jsonErrorReason(message: string): string {
  return message.replace(QUOTED_INPUT, '');
}

/**
 * Lines where the elements of the array under `key` in the top-level object start, in order.
 * Only the top level is considered, so a nested object with the same key does not confuse it.
 */
export function arrayElementLines(text: string, key: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let lastKeyAtTop: string | undefined;
  let inTarget = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = text.slice(i + 1, j);
      if (inTarget && depth === 2 && expectValue) {
        lines.push(line);
        expectValue = false;
      } else if (depth === 1) lastKeyAtTop = str;
      i = j;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (inTarget && depth === 2 && expectValue && c !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && c === '[' && lastKeyAtTop === key) {
        inTarget = true;
        expectValue = true;
      }
    } else if (c === '}' || c === ']') {
      if (depth === 2) inTarget = false;
      depth--;
    } else if (c === ',' && inTarget && depth === 2) expectValue = true;
  }
  return lines;
}
