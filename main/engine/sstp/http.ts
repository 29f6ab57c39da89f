// The SSTP HTTPS handshake (MS-SSTP §2.2.1, §3.2.4): the SSTP_DUPLEX_POST request, and an incremental
// reader of the server's answer. After the answer's blank line the stream is SSTP packets.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { failure, type SessionFailure } from '../failure.js';
import { HttpHeadReader } from '../transport/http-head.js';

export const SSTP_HTTP_PATH = '/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/';
/** 2^64 - 1: the request announces an endless body; a server answer with Content-Length must match. */
export const SSTP_CONTENT_LENGTH = '18446744073709551615';
export const MAX_RESPONSE_HEAD = 8 * 1024;

export interface SstpHttpRequestOptions {
  /** The server name TLS presented (SNI, else the host or address as configured); no port: accel-ppp compares it with the SNI. */
  readonly host: string;
  /** A GUID without braces; random when absent. */
  readonly correlationId?: string;
}

/*
 * SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n
 * Host: <host>\r\n
 * Content-Length: 18446744073709551615\r\n
 * SSTPCORRELATIONID: {<GUID, upper case>}\r\n
 * \r\n
 * Throws RangeError for a host that would corrupt the request (whitespace, control characters).
 */
export function buildSstpHttpRequest(opts: SstpHttpRequestOptions): Buffer {
  if (opts.host.length === 0 || [...opts.host].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new RangeError('host must be a non-empty name without whitespace or control characters');
  }
  const id = (opts.correlationId ?? randomUUID()).toUpperCase();
  if (!/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(id)) {
    throw new RangeError('correlationId must be a GUID');
  }
  const host = isIP(opts.host) === 6 ? `[${opts.host}]` : opts.host;
  return Buffer.from(
    `SSTP_DUPLEX_POST ${SSTP_HTTP_PATH} HTTP/1.1\r\n` +
      `Host: ${host}\r\n` +
      `Content-Length: ${SSTP_CONTENT_LENGTH}\r\n` +
      `SSTPCORRELATIONID: {${id}}\r\n` +
      '\r\n',
    'latin1',
  );
}

export type SstpHttpError =
  | { readonly kind: 'status'; readonly status: number; readonly statusLine: string }
  | { readonly kind: 'head-too-large'; readonly limit: number }
  | { readonly kind: 'content-length'; readonly value: string }
  | { readonly kind: 'malformed'; readonly field: string; readonly reason: string };

export type SstpHttpProgress =
  | { readonly done: false }
  | {
      readonly done: true;
      readonly ok: true;
      readonly status: number;
      readonly statusLine: string;
      /** Lower-case names; repeated headers joined with ", ". */
      readonly headers: ReadonlyMap<string, string>;
      /** Bytes after the blank line: already SSTP. */
      readonly rest: Buffer;
    }
  | { readonly done: true; readonly ok: false; readonly error: SstpHttpError };

/** Feed the server's bytes as they arrive until `done`. */
export class SstpHttpResponseReader {
  private readonly reader = new HttpHeadReader(MAX_RESPONSE_HEAD);
  private result: SstpHttpProgress | undefined;

  push(chunk: Buffer): SstpHttpProgress {
    if (this.result !== undefined) {
      // Once the head is read, later bytes are SSTP: hand them back rather than swallow them.
      return this.result.done && this.result.ok ? { ...this.result, rest: chunk } : this.result;
    }
    const s = this.reader.push(chunk);
    switch (s.kind) {
      case 'incomplete':
        return { done: false };
      case 'too-large':
        return this.finish({ kind: 'head-too-large', limit: s.limit });
      case 'malformed':
        return this.finish({ kind: 'malformed', field: s.field, reason: s.reason });
      case 'done':
        break;
    }
    const head = s.head;
    if (head.status !== 200) return this.finish({ kind: 'status', status: head.status, statusLine: head.statusLine });
    const contentLength = head.headers.get('content-length');
    if (contentLength !== undefined && contentLength !== SSTP_CONTENT_LENGTH) {
      return this.finish({ kind: 'content-length', value: contentLength });
    }
    this.result = { done: true, ok: true, ...head, rest: s.rest };
    return this.result;
  }

  private finish(error: SstpHttpError): SstpHttpProgress {
    this.result = { done: true, ok: false, error };
    return this.result;
  }
}

/** The session's failure for a refused or broken handshake answer (phase 'http'). */
export function sstpHttpFailure(error: SstpHttpError): SessionFailure {
  switch (error.kind) {
    case 'status':
      return failure('http', 'http-refused', statusAdvice(error.status), {
        detail: `server answered "${error.statusLine.slice(0, 200)}"`,
      });
    case 'head-too-large':
      return failure(
        'http',
        'protocol-error',
        'The server answered the SSTP request with an oversized HTTP header. Check that the address and port belong to an SSTP server.',
        {
          detail: `no end of HTTP head within ${error.limit} bytes`,
        },
      );
    case 'content-length':
      return failure(
        'http',
        'protocol-error',
        'The server answered the SSTP request like an ordinary web server, not an SSTP server. Check the address and port.',
        {
          detail: `Content-Length ${error.value.slice(0, 40)}, expected ${SSTP_CONTENT_LENGTH}`,
        },
      );
    case 'malformed':
      return failure(
        'http',
        'protocol-error',
        'The server did not answer the SSTP request with valid HTTP. Check that the address and port belong to an SSTP server.',
        {
          detail: `${error.field}: ${error.reason}`,
        },
      );
  }
}

function statusAdvice(status: number): string {
  if (status === 404)
    return 'The server does not offer SSTP at this address (HTTP 404). Check the server address and port, and that SSTP is enabled on the server.';
  if (status === 401 || status === 403)
    return `The server refused the SSTP request (HTTP ${status}). It may only accept certain clients or certificates; ask its administrator.`;
  if (status >= 500) return `The server failed to start an SSTP session (HTTP ${status}). Try again later.`;
  return `The server refused the SSTP request (HTTP ${status}). Check the server address and port.`;
}
