import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AppendStopped } from '../../../../main/engine/diagnostics/append-file.js';
import { SstpCapture } from '../../../../main/engine/diagnostics/sstp-capture.js';
import { AUTH_RESPONSE_HEX, NT_RESPONSE, PASSWORD, sessionStream } from './frames.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-capture-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

/** Walks the pcapng blocks back: [type, body] per block; asserts every length field agrees. */
function blocks(file: Buffer): { type: number; body: Buffer }[] {
  const out: { type: number; body: Buffer }[] = [];
  for (let at = 0; at < file.length;) {
    const type = file.readUInt32LE(at);
    const length = file.readUInt32LE(at + 4);
    assert.equal(length % 4, 0, 'blocks are 32-bit aligned');
    assert.equal(file.readUInt32LE(at + length - 4), length, 'trailing length matches');
    out.push({ type, body: file.subarray(at + 8, at + length - 4) });
    at += length;
  }
  return out;
}

async function capture(
  name: string,
  chunking: (b: Buffer) => Buffer[],
): Promise<{ path: string; capture: SstpCapture; stops: AppendStopped[] }> {
  const path = join(dir, name);
  const stops: AppendStopped[] = [];
  let t = 1_700_000_000_000_000n;
  const opened = SstpCapture.open(path, { onStop: (s) => stops.push(s), now: () => (t += 1000n) });
  assert.ok(opened.ok);
  const c = opened.capture;
  const s = sessionStream();
  c.open({ local: { address: '10.9.0.2', port: 40000 }, remote: { address: '10.9.0.1', port: 443 } });
  const [reqOut, ...sstpOut] = s.out;
  const [respIn, ...sstpIn] = s.in;
  c.bytes('out', 'http', reqOut as Buffer);
  c.bytes('in', 'http', respIn as Buffer);
  // The stream as TLS might chunk it: packets split and merged across reads.
  for (const chunk of chunking(Buffer.concat(sstpOut))) c.bytes('out', 'sstp', chunk);
  for (const chunk of chunking(Buffer.concat(sstpIn))) c.bytes('in', 'sstp', chunk);
  await c.close();
  return { path, capture: c, stops };
}

const bySize = (n: number) => (b: Buffer) =>
  Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

test('one pcapng packet per SSTP packet, however the stream is chunked; direction flags and time stamps', async () => {
  for (const size of [1, 3, 7, 64, 100_000]) {
    const { path, capture: c, stops } = await capture(`chunk-${size}.pcapng`, bySize(size));
    assert.deepEqual(stops, []);
    const b = blocks(readFileSync(path));
    assert.equal(b[0]?.type, 0x0a0d0d0a);
    assert.equal(b[1]?.type, 1);
    assert.equal(b[1]?.body.readUInt16LE(0), 252, 'LINKTYPE_WIRESHARK_UPPER_PDU');
    const epbs = b.filter((x) => x.type === 6);
    // 2 HTTP + 8 SSTP out + 2 SSTP in.
    assert.equal(epbs.length, 12, `chunk size ${size}`);
    assert.equal(c.packetCount, 12);
    const micros = epbs.map((e) => (BigInt(e.body.readUInt32LE(4)) << 32n) | BigInt(e.body.readUInt32LE(8)));
    assert.deepEqual(
      micros,
      [...micros].sort((x, y) => (x < y ? -1 : 1)),
      'time stamps in order',
    );
  }
});

test('the file is private and holds no PAP password, NT-Response or authenticator response', async () => {
  const { path } = await capture('secrets.pcapng', bySize(5));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const bytes = readFileSync(path);
  assert.equal(bytes.indexOf(PASSWORD), -1);
  assert.equal(bytes.indexOf(NT_RESPONSE), -1);
  assert.equal(bytes.indexOf(AUTH_RESPONSE_HEX), -1);
  assert.notEqual(bytes.indexOf('alice'), -1, 'user names stay (that is what a capture is for)');
});

test(
  'tshark dissects it with no options: SSTP control and data, LCP, PAP, MS-CHAPv2, EAP, IPCP, ICMP; 0 malformed',
  { skip: hasTshark ? false : 'tshark is not installed (scripts/setup-debian.sh)' },
  async () => {
    const { path } = await capture('tshark.pcapng', bySize(13));
    const fields = spawnSync(
      'tshark',
      [
        '-n',
        '-r',
        path,
        '-T',
        'fields',
        '-e',
        'frame.protocols',
        '-e',
        'sstp.messagetype',
        '-e',
        'ip.src',
        '-e',
        'ip.dst',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(fields.status, 0, fields.stderr);
    const rows = fields.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const protocols = rows.map((r) => r[0] ?? '');
    assert.match(protocols[0] ?? '', /http/);
    for (const p of ['sstp', 'ppp:lcp', 'ppp:pap', 'ppp:chap', 'ppp:eap', 'ppp:ipcp', 'ppp:ip:icmp'])
      assert.ok(
        protocols.some((x) => x.includes(p)),
        `${p} in ${protocols.join(' | ')}`,
      );
    // Control packets by type: CALL_CONNECT_REQUEST, ECHO_REQUEST, ECHO_RESPONSE.
    assert.deepEqual(
      rows
        .map((r) => r[1])
        .filter(Boolean)
        .sort(),
      ['0x0001', '0x0008', '0x0009'],
    );
    // ip.src lists the exported-PDU (TCP endpoint) address, then the inner packet's.
    assert.ok(
      rows.some((r) => r[2] === '10.9.0.2,10.0.0.2' && r[3] === '10.9.0.1,10.0.0.1'),
      `the inner ICMP packet in ${fields.stdout}`,
    );
    const verbose = spawnSync('tshark', ['-n', '-r', path, '-V'], { encoding: 'utf8' });
    assert.match(verbose.stdout, /Secure Socket Tunneling Protocol/);
    assert.match(verbose.stdout, /Algorithm: MS-CHAP-2/);
    assert.match(verbose.stdout, /PPP Challenge Handshake Authentication Protocol\n\s+Code: Response/);
    assert.match(verbose.stdout, /EAP-MS-AUTH/);
    assert.match(verbose.stdout, /Echo \(ping\) request/);
    const malformed = spawnSync('tshark', ['-n', '-r', path, '-Y', '_ws.malformed || _ws.expert.severity >= error'], {
      encoding: 'utf8',
    });
    assert.equal(malformed.stdout.trim(), '', 'no malformed packet');
  },
);

test('a disk that fills up stops the capture with a typed reason, once, without throwing', async () => {
  const stops: AppendStopped[] = [];
  let stopped!: () => void;
  const firstStop = new Promise<void>((r) => (stopped = r));
  const opened = SstpCapture.open('/dev/full', {
    onStop: (s) => {
      stops.push(s);
      stopped();
    },
  });
  assert.ok(opened.ok);
  const c = opened.capture;
  for (const chunk of sessionStream().out.slice(1)) c.bytes('out', 'sstp', chunk);
  await firstStop;
  for (const chunk of sessionStream().out.slice(1)) c.bytes('out', 'sstp', chunk);
  await c.close();
  assert.equal(stops.length, 1);
  assert.equal(stops[0]?.reason, 'disk-full');
  assert.match(stops[0]?.detail ?? '', /ENOSPC/);
});

test('an unwritable path is refused up front with the reason', () => {
  const r = SstpCapture.open(join(dir, 'no', 'such', 'dir.pcapng'), { onStop: () => {} });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.message, /cannot open .*ENOENT/);
});
