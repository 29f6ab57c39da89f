// JSON.parse says nothing about where values were. These helpers recover line numbers for messages,
// scanning text that JSON.parse has already accepted (so the scan can be simple and cannot loop).

/** Line (1-based) of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Node 20 reports "… at position 42"; newer engines "(line 3 column 5)". */
export function lineOfJsonError(text: string, message: string): number {
  const lc = /line (\d+) column \d+/.exec(message);
  if (lc) return Number(lc[1]);
  const pos = /at position (\d+)/.exec(message);
  return pos ? lineOfOffset(text, Number(pos[1])) : 0;
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
