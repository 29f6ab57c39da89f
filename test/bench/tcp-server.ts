// The plain TCP application behind the far end's TUN (ceiling.ts --traffic tcp): in the far
// namespace, on the far TUN's address, it sends or swallows N bytes per connection
// (transfer-protocol.ts), so the tunnel carries real TCP — merged segments, ACKs, windows.
// usage: node --import tsx test/bench/tcp-server.ts <listen address> <port>
// stdout: {"event":"listening","port":N}; stdin EOF or "stop" ends it.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { serveTransfer, TRANSFER_CHUNK } from './transfer-protocol.js';

const [host, portText] = process.argv.slice(2);
const chunk = Buffer.alloc(TRANSFER_CHUNK, 0x5a);
const server = createServer((socket) => serveTransfer(socket, chunk));
await new Promise<void>((resolve) => server.listen(Number(portText ?? 0), host ?? '0.0.0.0', resolve));
const address = server.address();
process.stdout.write(
  `${JSON.stringify({ event: 'listening', port: typeof address === 'object' ? address?.port : 0 })}\n`,
);
for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'stop') break;
server.close();
process.exit(0);
