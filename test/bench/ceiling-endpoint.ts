// The far end of the client-bound ceiling bench (ceiling.ts): one TLS listener that cannot be the
// bottleneck. On the SSTP port the strict peer (test/peers) negotiates a real session — HTTP, SSTP
// call control, LCP, MS-CHAPv2, the crypto binding, IPCP — and once IPCP is open this process takes
// the socket over. Without --tun (--traffic udp) it only produces prebuilt data-plane frames
// (UDP/IPv4 to the client's tunnel address, port 9) or counts what arrives. With --tun NAME
// (--traffic tcp) it relays IP packets between the session and that TUN (ceiling-relay.ts), behind
// which a plain TCP server runs in this namespace. The raw port is the same TLS with no SSTP: the
// baseline. Both write the same chunk size (transfer-protocol.ts).
//
// usage: node --import tsx test/bench/ceiling-endpoint.ts <listen address> [--tun NAME]
// stdout JSON lines: listening {sstpPort, rawPort, gso} | up {clientAddress} | sent {ipBytes}
//                    | count {bytes, seconds, activeSeconds} | stats {relay, tun}
// stdin commands:  down <bytes>   send that many IP bytes to the SSTP client (then "sent"; udp)
//                  mark           start counting received data-plane bytes (udp)
//                  count          print the bytes received since mark and the seconds since
//                  stats          the relay's and the far TUN's counters so far (tcp)
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { internetChecksum } from '../../main/engine/packet/checksum.js';
import { parseIpv4 } from '../../main/engine/packet/icmp.js';
import { peerCertificates } from '../peers/certificates.js';
import { PeerConnection } from '../peers/connection.js';
import { EventLog } from '../peers/events.js';
import { resolveScript } from '../peers/script.js';
import { tunAddon } from '../../main/engine/tun/native-addon.js';
import { attachTun } from '../../main/engine/tun/open-tun.js';
import { SSTP_PPP_HEADROOM } from '../../main/engine/tun/packet-batch.js';
import type { TunDevice } from '../../main/engine/tun/tun-device.js';
import type { FramedPacket } from '../../main/engine/sstp/deframer.js';
import { startRelay, type RelayStats } from './ceiling-relay.js';
import { serveTransfer, writeBytes } from './transfer-protocol.js';

/** IP packet size: under the 1500-byte MRU the peer grants, like a full-size TCP segment would be. */
export const IP_PACKET_BYTES = 1400;
const PACKETS_PER_CHUNK = 46;
const SERVER_ADDRESS = '10.77.0.1';

function emit(e: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

/** SSTP data packets (4-byte header, PPP FF 03 00 21) each carrying a UDP/IPv4 packet to `dst`:9. */
export function dataChunk(dst: Buffer, src: Buffer): Buffer {
  const frameBytes = 4 + 4 + IP_PACKET_BYTES;
  const chunk = Buffer.alloc(frameBytes * PACKETS_PER_CHUNK);
  for (let i = 0; i < PACKETS_PER_CHUNK; i++) {
    const o = i * frameBytes;
    chunk.writeUInt16BE(0x1000, o);
    chunk.writeUInt16BE(frameBytes, o + 2);
    chunk.writeUInt32BE(0xff030021, o + 4);
    const ip = o + 8;
    chunk[ip] = 0x45;
    chunk.writeUInt16BE(IP_PACKET_BYTES, ip + 2);
    chunk.writeUInt16BE(i, ip + 4);
    chunk[ip + 8] = 64;
    chunk[ip + 9] = 17;
    src.copy(chunk, ip + 12);
    dst.copy(chunk, ip + 16);
    chunk.writeUInt16BE(internetChecksum(chunk, ip, ip + 20), ip + 10);
    chunk.writeUInt16BE(40000, ip + 20);
    chunk.writeUInt16BE(9, ip + 22);
    chunk.writeUInt16BE(IP_PACKET_BYTES - 20, ip + 24);
    // UDP checksum 0: "not computed", allowed over IPv4 (RFC 768), so the kernel does no sum either.
  }
  return chunk;
}

const listenHost = process.argv[2] ?? '127.0.0.1';
const tunAt = process.argv.indexOf('--tun');
const tunName = tunAt >= 0 ? process.argv[tunAt + 1] : undefined;
/** The far TUN (tcp mode): opened here as root, like the helper opens the client's, GSO asked for. */
function openFarTun(name: string): TunDevice {
  const loaded = tunAddon();
  if (!loaded.ok) throw new Error(`${loaded.code}: ${loaded.message}`);
  const opened = loaded.addon.openDevice(name, true);
  const r = attachTun(opened.fd, { headroom: SSTP_PPP_HEADROOM });
  if (!r.ok) throw new Error(`attach ${name}: ${r.error.code}: ${r.error.message}`);
  return r.device;
}
const farTun = tunName === undefined ? undefined : openFarTun(tunName);
let relay: RelayStats | undefined;
const certs = await peerCertificates();
const tlsOptions = { key: certs.leaf.keyPem, cert: certs.leaf.certPem, minVersion: 'TLSv1.2' as const };
const script = resolveScript({ name: 'ceiling', ipv6cp: { mode: 'protocol-reject' } });

let sstp: { socket: TLSSocket; chunk: Buffer; ipBytesPerChunk: number } | undefined;
let received = 0;
let markedAt = process.hrtime.bigint();
let firstAt = markedAt;
let lastAt = markedAt;

const sstpServer = createServer(tlsOptions, (socket) => {
  const log = new EventLog();
  const conn = new PeerConnection(socket, { script, log, certDer: certs.leaf.der, ipv6cpReleased: () => false });
  void log.waitFor('ipcp-opened', undefined, 60_000).then(
    (e) => {
      if (farTun !== undefined) {
        // The peer keeps answering what is not IP (echoes, LCP): its private dispatcher, on purpose.
        const peer = conn as unknown as { onPacket(p: FramedPacket): void };
        relay = startRelay(socket, farTun, (p) => peer.onPacket(p));
        emit({ event: 'up', clientAddress: e.clientAddress });
        return;
      }
      // Take the socket over: from here on nothing is parsed, only counted (see the file header).
      socket.removeAllListeners('data');
      socket.on('data', (b: Buffer) => {
        const now = process.hrtime.bigint();
        if (received === 0) firstAt = now;
        lastAt = now;
        received += b.length;
      });
      const dst = parseIpv4(e.clientAddress);
      const src = parseIpv4(SERVER_ADDRESS);
      if (dst === undefined || src === undefined) throw new Error(`bad addresses ${e.clientAddress}`);
      sstp = { socket, chunk: dataChunk(dst, src), ipBytesPerChunk: IP_PACKET_BYTES * PACKETS_PER_CHUNK };
      emit({ event: 'up', clientAddress: e.clientAddress });
    },
    (err: unknown) => emit({ event: 'error', message: `negotiation: ${String(err)}` }),
  );
});

const rawChunk = Buffer.alloc((4 + 4 + IP_PACKET_BYTES) * PACKETS_PER_CHUNK, 0x5a);
const rawServer = createServer(tlsOptions, (socket) => serveTransfer(socket, rawChunk));

const listen = (s: ReturnType<typeof createServer>): Promise<number> =>
  new Promise((resolve) => s.listen(0, listenHost, () => resolve((s.address() as AddressInfo).port)));
emit({
  event: 'listening',
  sstpPort: await listen(sstpServer),
  rawPort: await listen(rawServer),
  gso: farTun?.gso ?? false,
});

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(' ');
  if (cmd === 'down') {
    const s = sstp;
    if (s === undefined) {
      emit({ event: 'error', message: 'no SSTP session up' });
      continue;
    }
    // Whole chunks only, so every frame is complete: the byte count is rounded up to a chunk.
    const chunks = Math.ceil(Number(arg) / s.ipBytesPerChunk);
    await writeBytes(s.socket, s.chunk, chunks * s.chunk.length);
    emit({ event: 'sent', ipBytes: chunks * s.ipBytesPerChunk, packets: chunks * PACKETS_PER_CHUNK });
  } else if (cmd === 'mark') {
    received = 0;
    markedAt = process.hrtime.bigint();
    emit({ event: 'marked' });
  } else if (cmd === 'count') {
    // activeSeconds: first to last byte since mark, so a slow-starting source is not counted.
    emit({
      event: 'count',
      bytes: received,
      seconds: Number(process.hrtime.bigint() - markedAt) / 1e9,
      activeSeconds: Number(lastAt - firstAt) / 1e9,
    });
  } else if (cmd === 'stats') {
    emit({ event: 'stats', relay: relay ?? null, tun: farTun?.stats() ?? null });
  } else if (cmd === 'stop') break;
}
sstp?.socket.destroy();
farTun?.close();
sstpServer.close();
rawServer.close();
process.exit(0);
