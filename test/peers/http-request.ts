// The server end of the SSTP HTTPS handshake: reads the client's SSTP_DUPLEX_POST and judges it
// strictly against MS-SSTP §2.2.1, which real servers check to varying degrees.
import type { HttpScript } from './script.js';

export const EXPECTED_REQUEST_LINE = 'SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1';
export const SSTP_CONTENT_LENGTH = '18446744073709551615';
const MAX_HEAD = 8 * 1024;
const GUID = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/i;

export interface ClientRequest {
  readonly requestLine: string;
  readonly headers: ReadonlyMap<string, string>;
  /** Rule breaches, each one sentence. */
  readonly problems: readonly string[];
  /** Bytes after the blank line: already SSTP. */
  readonly rest: Buffer;
}

export type RequestProgress =
  | { readonly done: false }
  | { readonly done: true; readonly request: ClientRequest }
  | { readonly done: true; readonly error: string };

export class ClientRequestReader {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): RequestProgress {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf('\r\n\r\n', 0, 'latin1');
    if (end === -1) {
      return this.buffered.length > MAX_HEAD
        ? { done: true, error: `no end of HTTP head within ${MAX_HEAD} bytes` }
        : { done: false };
    }
    const lines = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
    const rest = this.buffered.subarray(end + 4);
    const requestLine = lines[0] ?? '';
    const headers = new Map<string, string>();
    const problems: string[] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        problems.push(`malformed header line ${JSON.stringify(line)}`);
        continue;
      }
      const name = line.slice(0, colon).toLowerCase();
      if (headers.has(name)) problems.push(`header ${name} repeated`);
      headers.set(name, line.slice(colon + 1).trim());
    }
    if (requestLine !== EXPECTED_REQUEST_LINE) problems.push(`request line is ${JSON.stringify(requestLine)}`);
    return { done: true, request: { requestLine, headers, problems, rest } };
  }
}

/** Further checks that need the script: Host, Content-Length, correlation id. */
export function judgeRequest(req: ClientRequest, script: HttpScript): string[] {
  const problems = [...req.problems];
  const host = req.headers.get('host');
  if (host === undefined || host === '') problems.push('Host header missing');
  else if (script.expectedHost !== undefined && stripPort(host) !== script.expectedHost) {
    problems.push(`Host header ${JSON.stringify(host)} does not name ${script.expectedHost}`);
  }
  const length = req.headers.get('content-length');
  if (length !== SSTP_CONTENT_LENGTH)
    problems.push(`Content-Length is ${JSON.stringify(length)}, must be ${SSTP_CONTENT_LENGTH}`);
  const id = req.headers.get('sstpcorrelationid');
  if (id === undefined || !GUID.test(id)) problems.push(`SSTPCORRELATIONID ${JSON.stringify(id)} is not a {GUID}`);
  return problems;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

export function buildResponse(script: HttpScript): Buffer {
  const lines = [script.status === 200 ? 'HTTP/1.1 200 OK' : `HTTP/1.1 ${script.status} Refused`];
  if (script.contentLength !== undefined) lines.push(`Content-Length: ${script.contentLength}`);
  lines.push('Server: causeway-strict-peer', `Date: ${new Date().toUTCString()}`, ...script.extraHeaders);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
