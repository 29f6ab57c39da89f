// --capture and --keylog against the real SoftEther server, judged by Wireshark's own dissectors:
// the decrypted capture opens with no options (SSTP, PPP LCP, MS-CHAPv2, IPCP, ICMP, 0 malformed),
// and a raw capture of the same connection decrypts with the key log alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { integrationSkip, startSoftEther, type SoftEtherServer } from '../../harness/softether.js';
import { runCli, type CliRun } from '../../support/run-cli.js';
import { startRawCapture, tshark } from './tshark.js';

const skip = integrationSkip();
const PASSWORD = 'testpass';

function assertOk(run: CliRun): Record<string, unknown> {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  assert.equal(run.result?.['ok'], true, run.stdout);
  return run.result as Record<string, unknown>;
}

/** frame.protocols of every packet, plus the SSTP message types seen. */
async function dissect(
  file: string,
  extra: readonly string[] = [],
): Promise<{ protocols: string[]; messageTypes: string[] }> {
  const r = await tshark(['-r', file, ...extra, '-T', 'fields', '-e', 'frame.protocols', '-e', 'sstp.messagetype']);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  return { protocols: rows.map((x) => x[0] ?? ''), messageTypes: rows.flatMap((x) => (x[1] ? x[1].split(',') : [])) };
}

describe('diagnostics files against SoftEther', { skip }, () => {
  let server: SoftEtherServer;
  let dir: string;

  before(async () => {
    server = await startSoftEther({ name: 'cw-diag' });
    dir = mkdtempSync(join(tmpdir(), 'cw-diag-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const base = () => [server.host, '--user', 'testuser', '--password-stdin', '--json', '--insecure'];

  it('causeway test --capture: Wireshark dissects SSTP control and data, LCP, MS-CHAPv2, IPCP and the ping, 0 malformed, no secrets', async () => {
    const file = join(dir, 'session.pcapng');
    const r = assertOk(await runCli(['test', ...base(), '--auth', 'mschapv2', '--capture', file], PASSWORD));
    assert.equal((r['echo'] as { ok: boolean }).ok, true, 'the ping went through the tunnel');
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const { protocols, messageTypes } = await dissect(file);
    assert.ok(protocols.length >= 15, `packets: ${protocols.length}`);
    for (const p of [
      'exported_pdu:http',
      'exported_pdu:sstp',
      'sstp:ppp:lcp',
      'sstp:ppp:chap',
      'sstp:ppp:ipcp',
      'sstp:ppp:ip:icmp',
    ]) {
      assert.ok(
        protocols.some((x) => x.includes(p)),
        `${p} in\n${protocols.join('\n')}`,
      );
    }
    // CALL_CONNECT_REQUEST, CALL_CONNECT_ACK, CALL_CONNECTED, and the clean end CALL_DISCONNECT(+ACK).
    for (const t of ['0x0001', '0x0002', '0x0004', '0x0006'])
      assert.ok(messageTypes.includes(t), `SSTP message ${t} in ${messageTypes.join(',')}`);

    const verbose = await tshark(['-r', file, '-V']);
    assert.match(verbose.stdout, /Algorithm: MS-CHAP-2/, 'LCP negotiated MS-CHAPv2');
    assert.match(verbose.stdout, /PPP Challenge Handshake Authentication Protocol\n\s+Code: Challenge/);
    assert.match(verbose.stdout, /PPP Challenge Handshake Authentication Protocol\n\s+Code: Response/);
    assert.match(verbose.stdout, /PPP Challenge Handshake Authentication Protocol\n\s+Code: Success/);
    assert.match(verbose.stdout, /Internet Control Message Protocol\n\s+Type: 8 \(Echo \(ping\) request\)/);
    assert.match(verbose.stdout, /Internet Control Message Protocol\n\s+Type: 0 \(Echo \(ping\) reply\)/);
    const malformed = await tshark(['-r', file, '-Y', '_ws.malformed']);
    assert.equal(malformed.stdout.trim(), '', 'no malformed packet');
    // The MS-CHAPv2 authenticator response is blanked (the capture cannot be cracked offline).
    assert.match(verbose.stdout, /S=0{40}/);
  });

  it('causeway test --capture with PAP: the password is not in the file', async () => {
    const file = join(dir, 'pap.pcapng');
    assertOk(await runCli(['test', ...base(), '--auth', 'pap', '--capture', file], PASSWORD));
    const bytes = readFileSync(file);
    assert.equal(bytes.indexOf(PASSWORD), -1);
    const v = await tshark(['-r', file, '-V', '-Y', 'pap']);
    assert.match(v.stdout, /Password: \*{8}/);
    assert.match(v.stdout, /Peer-ID: testuser/);
  });

  it('--keylog: a raw capture of the same connection decrypts to HTTP and SSTP with the key log alone', async () => {
    const keylog = join(dir, 'keys.log');
    writeFileSync(keylog, '', { mode: 0o644 });
    const raw = join(dir, 'raw.pcapng');
    const capture = await startRawCapture(server.netns, raw);
    let run: CliRun;
    try {
      run = await runCli(['test', ...base(), '--auth', 'mschapv2', '--keylog', keylog], PASSWORD);
    } finally {
      await capture.stop();
    }
    assertOk(run);
    assert.match(run.stdout, /TLS key logging is on/, 'the warning is logged');
    assert.equal(statSync(keylog).mode & 0o777, 0o600, 'an existing key log is made private');
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    assert.ok(
      lines.every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+$/.test(l)),
      lines.join('\n'),
    );

    const without = await dissect(raw);
    assert.ok(!without.protocols.some((p) => p.includes('sstp')), 'without keys nothing is readable');
    const withKeys = await dissect(raw, ['-o', `tls.keylog_file:${keylog}`]);
    assert.ok(
      withKeys.protocols.some((p) => p.includes('tls:http')),
      withKeys.protocols.join('\n'),
    );
    assert.ok(
      withKeys.protocols.some((p) => /tls:http:sstp:ppp:lcp/.test(p)),
      withKeys.protocols.join('\n'),
    );
    assert.ok(
      withKeys.protocols.some((p) => /tls:http:sstp:ppp:ip:icmp/.test(p)),
      'the ping, decrypted',
    );
    for (const t of ['0x0001', '0x0002', '0x0004'])
      assert.ok(withKeys.messageTypes.includes(t), `SSTP ${t} in ${withKeys.messageTypes.join(',')}`);
  });

  it('SSLKEYLOGFILE is used when --keylog is not given; a capture path that cannot be opened is a usage error', async () => {
    const keylog = join(dir, 'env-keys.log');
    assertOk(
      await runCli(['test', ...base(), '--auth', 'pap'], PASSWORD, { env: { ...process.env, SSLKEYLOGFILE: keylog } }),
    );
    assert.ok(
      readFileSync(keylog, 'utf8').includes('CLIENT_HANDSHAKE_TRAFFIC_SECRET') ||
        readFileSync(keylog, 'utf8').includes('CLIENT_RANDOM'),
    );
    const bad = await runCli(['test', ...base(), '--capture', join(dir, 'missing', 'x.pcapng')], PASSWORD);
    assert.equal(bad.code, 2, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /--capture: cannot open/);
  });
});
