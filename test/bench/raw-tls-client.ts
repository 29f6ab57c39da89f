// The raw-TLS side of the ceiling bench (ceiling.ts): one Node TLS connection to the ceiling
// endpoint's raw port carrying the same bytes as the tunnel, no SSTP — what Node's TLS alone costs.
// usage: node --import tsx test/bench/raw-tls-client.ts <host> <port> D|U <bytes>
// prints {"seconds", "bytes", "cpu": {user, system}} (the transfer only, after the handshake)
import { connect } from 'node:tls';

const [host, portText, verb, bytesText] = process.argv.slice(2);
const bytes = Number(bytesText);
if (host === undefined || (verb !== 'D' && verb !== 'U') || !(bytes > 0)) {
  console.error('usage: raw-tls-client.ts <host> <port> D|U <bytes>');
  process.exit(2);
}
const socket = connect({ host, port: Number(portText), rejectUnauthorized: false });
await new Promise<void>((resolve, reject) => {
  socket.once('secureConnect', resolve);
  socket.once('error', reject);
});
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let got = 0;
socket.write(`${verb} ${bytes}\n`);
if (verb === 'U') {
  // The same chunk size the endpoint writes the other way (46 SSTP frames of 1408 bytes).
  const chunk = Buffer.alloc(46 * 1408, 0xa5);
  let sent = 0;
  while (sent < bytes) {
    const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
    sent += piece.length;
    if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
  }
}
socket.on('data', (b: Buffer) => (got += b.length));
await new Promise<void>((resolve) => socket.once('end', resolve));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
socket.destroy();
process.stdout.write(
  `${JSON.stringify({ seconds, bytes: verb === 'D' ? got : bytes, cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 } })}\n`,
);
