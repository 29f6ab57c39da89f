// The byte-moving protocol of the ceiling bench, shared by the far end's raw TLS port
// (ceiling-endpoint.ts) and the plain TCP server behind the far TUN (tcp-server.ts), so the
// baseline and the tunnel move their bytes with the same code and the same chunk size.
//
//   client → server "D <bytes>\n": the server sends that many bytes, then ends the stream;
//   client → server "U <bytes>\n": the server reads that many bytes, then answers "ok\n".
import type { Socket } from 'node:net';

/** 46 SSTP frames of 1408 bytes: what the UDP mode writes per TLS write, kept for every path. */
export const TRANSFER_CHUNK = 46 * 1408;

export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Writes `bytes` bytes of `chunk` (repeated), honouring backpressure. */
export async function writeBytes(socket: Socket, chunk: Buffer, bytes: number): Promise<number> {
  let sent = 0;
  while (sent < bytes && !socket.destroyed) {
    const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
    sent += piece.length;
    if (!socket.write(piece)) await drained(socket);
  }
  return sent;
}

/** Serves one connection: reads the request line, then sends or swallows the bytes asked for. */
export function serveTransfer(socket: Socket, chunk: Buffer): void {
  let head = '';
  socket.on('error', () => undefined);
  const onHead = (b: Buffer): void => {
    head += b.toString('latin1');
    const nl = head.indexOf('\n');
    if (nl < 0) {
      if (head.length > 64) socket.destroy();
      return;
    }
    socket.off('data', onHead);
    const [verb, n] = head.slice(0, nl).split(' ');
    const bytes = Number(n);
    if (verb === 'D' && bytes > 0) {
      void writeBytes(socket, chunk, bytes).then(() => socket.end());
    } else if (verb === 'U' && bytes > 0) {
      // Body bytes that came with the request line count too (latin1 keeps one char per byte).
      let got = head.length - nl - 1;
      const onBody = (c: Buffer): void => {
        got += c.length;
        if (got >= bytes) {
          socket.off('data', onBody);
          socket.end('ok\n');
        }
      };
      if (got >= bytes) socket.end('ok\n');
      else socket.on('data', onBody);
    } else socket.destroy();
  };
  socket.on('data', onHead);
}
