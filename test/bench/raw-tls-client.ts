// The client side of the ceiling bench's byte moves (ceiling.ts): one connection moving N bytes
// (transfer-protocol.ts). Over TLS to the endpoint's raw port it is the baseline — what Node's TLS
// alone costs; with --plain it is the TCP application inside the client namespace whose traffic
// goes through the Causeway tunnel to tcp-server.ts (--traffic tcp).
// usage: node --import tsx test/bench/raw-tls-client.ts <host> <port> D|U <bytes> [--plain]
// prints {"seconds", "bytes", "cpu": {user, system}, "sched": {runS, waitS}} (the transfer only,
// after the handshake; sched: run time and run-queue wait of all threads, schedstat.ts)
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { schedDelta, schedTimes } from './schedstat.js';
import { TRANSFER_CHUNK } from './transfer-protocol.js';

const [host, portText, verb, bytesText] = process.argv.slice(2);
const plain = process.argv.includes('--plain');
const bytes = Number(bytesText);
if (host === undefined || (verb !== 'D' && verb !== 'U') || !(bytes > 0)) {
  console.error('usage: raw-tls-client.ts <host> <port> D|U <bytes> [--plain]');
  process.exit(2);
}
const port = Number(portText);
const socket: Socket = plain ? tcpConnect({ host, port }) : tlsConnect({ host, port, rejectUnauthorized: false });
await new Promise<void>((resolve, reject) => {
  socket.once(plain ? 'connect' : 'secureConnect', resolve);
  socket.once('error', reject);
});
const cpu0 = process.cpuUsage();
const sched0 = schedTimes('self');
const t0 = process.hrtime.bigint();
let got = 0;
socket.write(`${verb} ${bytes}\n`);
socket.on('data', (b: Buffer) => (got += b.length));
if (verb === 'U') {
  // The same chunk size the far end writes the other way.
  const chunk = Buffer.alloc(TRANSFER_CHUNK, 0xa5);
  let sent = 0;
  while (sent < bytes) {
    const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
    sent += piece.length;
    if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
  }
}
await new Promise<void>((resolve, reject) => {
  socket.once('end', resolve);
  socket.once('error', reject);
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const sched = schedDelta(sched0, schedTimes('self'));
socket.destroy();
if (verb === 'D' && got < bytes) {
  console.error(`short download: ${got} of ${bytes} bytes`);
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ seconds, bytes: verb === 'D' ? got : bytes, cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 }, sched })}\n`,
);
