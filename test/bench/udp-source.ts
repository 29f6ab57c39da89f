// The upload traffic of the ceiling bench (ceiling.ts): UDP/IPv4 datagrams into the tunnel as fast
// as the socket takes them, so the tunnel, not the source, limits what arrives at the endpoint.
// usage: node --import tsx test/bench/udp-source.ts <dst> <bytes> <ip packet bytes>
// prints {"seconds", "sent"}; datagrams the kernel drops (TUN queue full) are what the tunnel lost.
import { createSocket } from 'node:dgram';

const [dst, bytesText, sizeText] = process.argv.slice(2);
const bytes = Number(bytesText);
const payload = Buffer.alloc(Number(sizeText) - 28, 0x3c);
const socket = createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
await new Promise<void>((resolve) => socket.bind(0, resolve));
const t0 = process.hrtime.bigint();
let sent = 0;
// A window of sends in flight: enough to keep the socket full, bounded so memory stays flat.
const WINDOW = 256;
let inFlight = 0;
await new Promise<void>((resolve) => {
  const pump = (): void => {
    while (inFlight < WINDOW && sent < bytes) {
      inFlight++;
      sent += payload.length + 28;
      socket.send(payload, 9, dst, () => {
        inFlight--;
        if (sent >= bytes && inFlight === 0) resolve();
        else pump();
      });
    }
  };
  pump();
});
socket.close();
process.stdout.write(`${JSON.stringify({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, sent })}\n`);
