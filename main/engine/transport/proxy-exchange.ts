// One request/answer on a proxy connection: writes the CONNECT, reads the answer's head and, for an
// answer that carries a body (a 407's HTML page), reads past it so the same connection can carry the
// next CONNECT — Digest needs a second round trip and squid keeps the connection open for it.
import type { Socket } from 'node:net';
import { HttpHeadReader, type HttpHead } from './http-head.js';

export type Exchange =
  | {
      readonly kind: 'answer';
      readonly head: HttpHead;
      /** Bytes after the head (and after the body, when one was read past). */
      readonly rest: Buffer;
      /** The connection can carry another request (keep-alive and the body's end known). */
      readonly reusable: boolean;
    }
  | { readonly kind: 'not-http'; readonly detail: string }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' };

const HEAD_LIMIT = 16 * 1024;
/** A 407 page bigger than this is not worth reading past: open a new connection instead. */
const BODY_LIMIT = 64 * 1024;

function keepsAlive(head: HttpHead): boolean {
  const conn = `${head.headers.get('connection') ?? ''},${head.headers.get('proxy-connection') ?? ''}`.toLowerCase();
  if (/\bclose\b/.test(conn)) return false;
  return head.statusLine.startsWith('HTTP/1.1') || /\bkeep-alive\b/.test(conn);
}

/** How many body bytes follow the head, or undefined when the end is not known in advance. */
function bodyLength(head: HttpHead): number | undefined {
  if (head.status === 200 || head.status === 204 || head.status === 304) return 0;
  if (head.headers.has('transfer-encoding')) return undefined;
  const cl = head.headers.get('content-length');
  if (cl === undefined) return undefined;
  return /^\d{1,9}$/.test(cl) ? Number(cl) : undefined;
}

export function exchange(socket: Socket, request: string, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const reader = new HttpHeadReader(HEAD_LIMIT);
    let pending: { head: HttpHead; remaining: number; rest: Buffer } | undefined;
    const finish = (r: Exchange) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      resolve(r);
    };
    const skip = (chunk: Buffer) => {
      if (!pending) return;
      const take = Math.min(pending.remaining, chunk.length);
      pending.remaining -= take;
      if (pending.remaining === 0)
        finish({ kind: 'answer', head: pending.head, rest: chunk.subarray(take), reusable: true });
    };
    const onData = (chunk: Buffer) => {
      if (pending) return skip(chunk);
      const s = reader.push(chunk);
      if (s.kind === 'incomplete') return;
      if (s.kind !== 'done') {
        finish({
          kind: 'not-http',
          detail: s.kind === 'too-large' ? `no end of headers within ${s.limit} bytes` : `${s.field}: ${s.reason}`,
        });
        return;
      }
      const length = bodyLength(s.head);
      if (s.head.status === 200 || length === undefined || length > BODY_LIMIT || !keepsAlive(s.head)) {
        finish({ kind: 'answer', head: s.head, rest: s.rest, reusable: s.head.status === 200 });
        return;
      }
      pending = { head: s.head, remaining: length, rest: Buffer.alloc(0) };
      if (length === 0) finish({ kind: 'answer', head: s.head, rest: s.rest, reusable: true });
      else skip(s.rest);
    };
    const onClose = () => finish({ kind: 'closed' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
    socket.write(request);
  });
}
