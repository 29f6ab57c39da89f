// Smoke test of the integration harness itself: the patched SoftEther answers SSTP directly and
// through tinyproxy, nginx serves blobs, restart() works, and stop() leaves nothing behind.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { Tinyproxy } from '../../harness/proxy.js';
import { startTinyproxy } from '../../harness/proxy.js';
import type { SoftEtherServer } from '../../harness/softether.js';
import { integrationSkip, startSoftEther } from '../../harness/softether.js';
import { isAlive, linkExists, listNetns, runInNetns } from '../../harness/netns.js';
import {
  DEBIAN_VPNSERVER,
  DEBIAN_VPNSERVER_SHA256,
  PATCHED_VPNSERVER_SHA256,
  patchVpnserver,
  sha256Hex,
} from '../../harness/vpnserver-patch.js';

/** Reads from a socket until a blank line ends an HTTP head; returns the head. */
function readHead(socket: Socket, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(
      () => finish(new Error(`no HTTP head within ${timeoutMs} ms: ${JSON.stringify(buf.toString('latin1'))}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      finish(undefined, buf.subarray(0, end).toString('latin1'));
      // Whatever follows the head (a 407 body, say) belongs to the next reader. Only after our
      // listener is gone: unshift re-emits 'data' synchronously.
      if (end + 4 < buf.length) socket.unshift(buf.subarray(end + 4));
    };
    const onError = (error: Error): void => finish(error);
    const onEnd = (): void =>
      finish(new Error(`connection closed before an HTTP head: ${JSON.stringify(buf.toString('latin1'))}`));
    function finish(error: Error | undefined, head?: string): void {
      clearTimeout(timer);
      socket.off('data', onData).off('error', onError).off('end', onEnd);
      socket.pause();
      if (error !== undefined) reject(error);
      else resolve(head ?? '');
    }
    socket.on('data', onData).on('error', onError).on('end', onEnd);
  });
}

/** The SSTP HTTP request of docs/protocol.md §1.3, byte for byte. */
function sstpRequest(hostName: string): string {
  return (
    'SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n' +
    `Host: ${hostName}\r\n` +
    'Content-Length: 18446744073709551615\r\n' +
    `SSTPCORRELATIONID: {${randomUUID().toUpperCase()}}\r\n` +
    '\r\n'
  );
}

interface SstpAnswer {
  head: string;
  certSha256: string;
}

/** TLS (over `socket` if given) to the server, sends the SSTP request, returns the response head. */
function sstpHandshake(server: SoftEtherServer, socket?: Socket): Promise<SstpAnswer> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({
      ...(socket === undefined ? { host: server.host, port: server.port } : { socket }),
      servername: server.serverName,
      rejectUnauthorized: false,
    });
    tls.once('error', reject);
    tls.once('secureConnect', () => {
      const certSha256 = createHash('sha256').update(tls.getPeerCertificate().raw).digest('hex');
      tls.write(sstpRequest(server.serverName));
      readHead(tls).then(
        (head) => {
          tls.destroy();
          resolve({ head, certSha256 });
        },
        (error: unknown) => {
          tls.destroy();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  });
}

/** CONNECT through an HTTP proxy; resolves with the status code and, on 200, the open socket. */
async function proxyConnect(
  proxy: Tinyproxy,
  target: string,
  auth?: { user: string; password: string },
): Promise<{ status: number; socket: Socket }> {
  const socket = netConnect({ host: proxy.host, port: proxy.port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  const authLine =
    auth === undefined
      ? ''
      : `Proxy-Authorization: Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}\r\n`;
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${authLine}\r\n`);
  const head = await readHead(socket);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
  return { status, socket };
}

function httpGetSha256(url: string): Promise<{ status: number; sha256: string; size: number }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const hash = createHash('sha256');
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex'), size }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * Proves tap_soft is bridged into HUB1: a datagram towards SecureNAT's virtual host (192.168.30.1)
 * makes the kernel ARP for it, and only the hub can answer. Sent from inside the server netns.
 */
async function secureNatAnswersArp(server: SoftEtherServer): Promise<string> {
  const probe =
    "const s=require('node:dgram').createSocket('udp4');" +
    "s.send(Buffer.from('x'),9,'192.168.30.1',()=>setTimeout(()=>process.exit(0),200));";
  await runInNetns(server.netns, process.execPath, ['-e', probe]);
  let entry = '';
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline) {
    entry = (await runInNetns(server.netns, 'ip', ['neigh', 'show', '192.168.30.1'])).stdout.trim();
    if (/lladdr \S+ (REACHABLE|STALE|DELAY|PROBE)/.test(entry)) return entry;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ARP answer from 192.168.30.1 on tap_soft: ${entry || '(no neighbour entry)'}`);
}

function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(text)) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe('vpnserver patch', () => {
  it('refuses a binary that is not the known Debian build', () => {
    assert.throws(() => patchVpnserver(randomBytes(0x40000)), /not the known Debian 12 build/);
  });

  it(
    'produces the same bytes as the team reference patch',
    { skip: !existsSync(DEBIAN_VPNSERVER) && 'no Debian vpnserver' },
    (t) => {
      const original = readFileSync(DEBIAN_VPNSERVER);
      if (sha256Hex(original) !== DEBIAN_VPNSERVER_SHA256) {
        t.skip('installed vpnserver is not the Debian 12 build');
        return;
      }
      const patched = patchVpnserver(original);
      assert.equal(sha256Hex(patched), PATCHED_VPNSERVER_SHA256);
      assert.equal(sha256Hex(original), DEBIAN_VPNSERVER_SHA256, 'the input buffer is left untouched');
    },
  );
});

describe('SoftEther + tinyproxy harness', { skip: integrationSkip(), timeout: 120_000 }, () => {
  const credentials = { user: 'proxyuser', password: 'proxypass' };
  let server: SoftEtherServer;
  let openProxy: Tinyproxy;
  let authProxy: Tinyproxy;

  before(async () => {
    const started = Date.now();
    [server, openProxy, authProxy] = await Promise.all([
      startSoftEther({ name: 'cw-hsmoke', http: true }),
      startTinyproxy({}),
      startTinyproxy({ basicAuth: credentials }),
    ]);
    process.stderr.write(
      `# harness up in ${Date.now() - started} ms (SoftEther ${server.startupMs} ms: ${JSON.stringify(server.timings)})\n`,
    );
  });

  after(async () => {
    // Normally the last test has stopped everything already; stop() is idempotent.
    await Promise.allSettled([server?.stop(), openProxy?.stop(), authProxy?.stop()]);
  });

  it('answers SSTP_DUPLEX_POST with 200 and presents the advertised certificate', async () => {
    const answer = await sstpHandshake(server);
    assert.match(answer.head, /^HTTP\/1\.1 200/);
    assert.match(answer.head, /\r\nContent-Length: 18446744073709551615(\r\n|$)/i);
    assert.equal(answer.certSha256, server.certDerSha256);
    assert.match(server.certDerSha256, /^[0-9a-f]{64}$/);
  });

  it('answers SSTP through tinyproxy without authentication', async () => {
    const { status, socket } = await proxyConnect(openProxy, `${server.host}:443`);
    assert.equal(status, 200);
    const answer = await sstpHandshake(server, socket);
    assert.match(answer.head, /^HTTP\/1\.1 200/);
    assert.equal(answer.certSha256, server.certDerSha256);
    assert.match(openProxy.log(), new RegExp(`CONNECT ${server.host.replaceAll('.', '\\.')}:443`));
  });

  it('answers SSTP through tinyproxy with Basic auth; a missing password gets 407, a wrong one 401/407', async () => {
    const good = await proxyConnect(authProxy, `${server.host}:443`, credentials);
    assert.equal(good.status, 200);
    const answer = await sstpHandshake(server, good.socket);
    assert.match(answer.head, /^HTTP\/1\.1 200/);
    assert.equal(answer.certSha256, server.certDerSha256);

    // Debian 12's tinyproxy 1.11.1 answers wrong credentials with 401 (tinyproxy issue #532, fixed
    // after 1.11.1 by PR #549): a client must take either as "proxy authentication failed".
    const wrong = await proxyConnect(authProxy, `${server.host}:443`, { ...credentials, password: 'wrong' });
    wrong.socket.destroy();
    assert.ok([401, 407].includes(wrong.status), `wrong proxy password answered ${wrong.status}`);
    const missing = await proxyConnect(authProxy, `${server.host}:443`);
    missing.socket.destroy();
    assert.equal(missing.status, 407);
  });

  it('listens on TCP 443 only (plus nginx on 8080), and vpncmd sees the configuration', async () => {
    const ss = await runInNetns(server.netns, 'ss', ['-Hltn']);
    const ports = new Set(
      ss.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.trim().split(/\s+/)[3]?.split(':').pop()),
    );
    assert.deepEqual([...ports].sort(), ['443', '8080']);
    const users = await server.vpncmd(['Hub HUB1', 'UserList']);
    assert.match(users, /testuser/);
  });

  it('serves a written blob with nginx in the server netns', async () => {
    const blob = await server.writeRandomBlob('smoke.bin', 1_500_000);
    assert.equal(blob.url, `http://192.168.30.5:8080/smoke.bin`);
    const got = await httpGetSha256(blob.directUrl);
    assert.deepEqual(got, { status: 200, sha256: blob.sha256, size: 1_500_000 });
    const small = await server.writeBlob('hello.txt', Buffer.from('hello'));
    assert.equal(small.sha256, createHash('sha256').update('hello').digest('hex'));
  });

  it('bridges tap_soft (192.168.30.5) into HUB1', async () => {
    assert.equal(server.bridgeAddress, '192.168.30.5');
    assert.match(await secureNatAnswersArp(server), /dev tap_soft lladdr/);
  });

  it('kill() drops the server and restart() brings SSTP and the bridge back', async () => {
    await server.kill();
    await assert.rejects(sstpHandshake(server), /ECONNREFUSED/);
    const started = Date.now();
    await server.restart();
    process.stderr.write(`# restart() took ${Date.now() - started} ms\n`);
    const answer = await sstpHandshake(server);
    assert.match(answer.head, /^HTTP\/1\.1 200/);
    assert.equal(answer.certSha256, server.certDerSha256);
    const addr = await runInNetns(server.netns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'tap_soft']);
    assert.match(addr.stdout, /192\.168\.30\.5\/24/);
    // A fresh tap and a fresh hub: the old neighbour entry must not be what answers.
    await runInNetns(server.netns, 'ip', ['neigh', 'flush', 'dev', 'tap_soft']);
    assert.match(await secureNatAnswersArp(server), /dev tap_soft lladdr/);
  });

  it('stop() leaves no netns, veth, process, mount or state behind', async () => {
    const pids = [...(await server.processes()), openProxy.pid, authProxy.pid];
    assert.ok(pids.length >= 4, `expected vpnserver, nginx (2) and proxies, got ${pids.join(' ')}`);
    const started = Date.now();
    await Promise.all([server.stop(), openProxy.stop(), authProxy.stop()]);
    process.stderr.write(`# stop() took ${Date.now() - started} ms\n`);

    assert.ok(!(await listNetns()).includes(server.netns), 'netns removed');
    assert.equal(await linkExists(`${server.netns}-h`), false, 'veth removed');
    assert.deepEqual(pids.filter(isAlive), [], 'all processes gone');
    assert.deepEqual(processesMentioning(server.stateDir), []);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(server.stateDir), 'no mounts of the state dir');
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(`/run/netns/${server.netns}`), 'netns mount gone');
    assert.equal(existsSync(server.stateDir), false, 'state dir removed');
    assert.match(openProxy.log(), /CONNECT/, 'the proxy log survives stop()');
  });
});
