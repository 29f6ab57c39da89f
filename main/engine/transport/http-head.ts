// Incremental reader for an HTTP/1.x response head (status line + headers, up to CRLFCRLF), shared by
// the proxy's CONNECT answer and the SSTP server's answer. Bytes after the head are handed back.

export interface HttpHead {
  readonly status: number;
  readonly statusLine: string;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
}

export type HttpHeadState =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'done'; readonly head: HttpHead; readonly rest: Buffer }
  | { readonly kind: 'too-large'; readonly limit: number }
  | { readonly kind: 'malformed'; readonly field: string; readonly reason: string };

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class HttpHeadReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): HttpHeadState {
    const searchFrom = Math.max(0, this.buffered.length - 3);
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(CRLFCRLF, searchFrom);
    if (end === -1 || end + CRLFCRLF.length > this.limit) {
      if (end !== -1 || this.buffered.length > this.limit) return { kind: 'too-large', limit: this.limit };
      return { kind: 'incomplete' };
    }
    const text = this.buffered.subarray(0, end).toString('latin1');
    const rest = this.buffered.subarray(end + CRLFCRLF.length);
    this.buffered = Buffer.alloc(0);
    const parsed = parseHead(text);
    return 'kind' in parsed ? parsed : { kind: 'done', head: parsed, rest };
  }
}

function parseHead(text: string): HttpHead | { kind: 'malformed'; field: string; reason: string } {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = STATUS_LINE.exec(statusLine);
  if (m === null || m[1] === undefined) {
    return {
      kind: 'malformed',
      field: 'status line',
      reason: `not an HTTP/1.x response: ${JSON.stringify(statusLine.slice(0, 80))}`,
    };
  }
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) {
      return {
        kind: 'malformed',
        field: `header line ${i}`,
        reason: `not a header: ${JSON.stringify(line.slice(0, 80))}`,
      };
    }
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { status: Number(m[1]), statusLine, headers };
}
