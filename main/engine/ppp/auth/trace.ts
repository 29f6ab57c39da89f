// Text helpers for pppd-style trace lines and for quoting what a server said. Servers' strings are
// untrusted: only printable characters pass, and they are cut short.

const MAX_TEXT = 100;

/** The server's text if it is readable (UTF-8, no control characters), trimmed and truncated; else undefined. */
export function printableText(bytes: Uint8Array, max = MAX_TEXT): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(/\0+$/, '')
    .trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (text === '' || /[\u0000-\u001f\u007f-\u009f\ufffd]/.test(text)) return undefined;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A quoted form for trace lines: printable text, or a byte count when it is not. */
export function quoted(bytes: Uint8Array): string {
  if (bytes.length === 0) return '""';
  const text = printableText(bytes);
  return text === undefined ? `<${bytes.length} bytes>` : JSON.stringify(text);
}

export function idHex(id: number): string {
  return `0x${id.toString(16)}`;
}
