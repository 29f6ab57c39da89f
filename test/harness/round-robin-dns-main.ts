// A round-robin DNS server for one name, the worst case for a client that resolves a name twice:
// each A query for NAME gets the next address of the list, alone (TTL 0, so nothing caches it). Any
// other name or type gets an empty NOERROR answer. One JSON line per query on stdout; "listening"
// first. Runs inside a test namespace (`ip netns exec`), on loopback.
// usage: node --import tsx test/harness/round-robin-dns-main.ts LISTEN_ADDRESS NAME ADDRESS...
import { createSocket } from 'node:dgram';

const [listen = '127.0.0.1', name = '', ...addresses] = process.argv.slice(2);
if (name === '' || addresses.length === 0) {
  process.stderr.write('usage: round-robin-dns-main.ts LISTEN_ADDRESS NAME ADDRESS...\n');
  process.exit(2);
}
let next = 0;

/** The question's name (lowercase, dotted) and where the question ends, or undefined when malformed. */
function question(msg: Buffer): { qname: string; qtype: number; end: number } | undefined {
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const len = msg[at];
    if (len === undefined || len > 63) return undefined;
    at += 1;
    if (len === 0) break;
    if (at + len > msg.length) return undefined;
    labels.push(
      msg
        .subarray(at, at + len)
        .toString('latin1')
        .toLowerCase(),
    );
    at += len;
  }
  if (at + 4 > msg.length) return undefined;
  return { qname: labels.join('.'), qtype: msg.readUInt16BE(at), end: at + 4 };
}

const sock = createSocket('udp4');
sock.on('message', (msg, from) => {
  if (msg.length < 12) return;
  const q = question(msg);
  if (!q) return;
  const answer = q.qname === name.toLowerCase() && q.qtype === 1 ? addresses[next++ % addresses.length] : undefined;
  process.stdout.write(`${JSON.stringify({ qname: q.qname, qtype: q.qtype, answer: answer ?? null })}\n`);
  const head = Buffer.alloc(12);
  msg.copy(head, 0, 0, 2);
  head.writeUInt16BE(0x8180, 2); // response, recursion desired + available, NOERROR
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answer ? 1 : 0, 6);
  const parts = [head, msg.subarray(12, q.end)];
  if (answer) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(0, 6); // TTL 0
    rr.writeUInt16BE(4, 10);
    Buffer.from(answer.split('.').map(Number)).copy(rr, 12);
    parts.push(rr);
  }
  sock.send(Buffer.concat(parts), from.port, from.address);
});
sock.bind(53, listen, () => process.stdout.write(`${JSON.stringify({ listening: `${listen}:53` })}\n`));
