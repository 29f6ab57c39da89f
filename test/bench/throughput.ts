// Data-plane benchmark (issue 3): one SoftEther server, one file from nginx behind its local bridge,
// the same veth path from four client namespaces, measured in one run:
//
//   raw TLS        nginx HTTPS (:8443, in the server netns) → curl, over the veth: one TLS stream
//                  carrying the same bytes, no VPN — the ceiling of any TLS tunnel on this path
//   direct TCP     nginx HTTP → curl over the veth (context only)
//   Causeway       `causeway connect` (the CLI, dist/) → TUN → curl http://192.168.30.5:8080/…
//   engine         the same engine in-process (throughput-runner.ts), for event-loop lag
//   SoftEther      Debian's vpnclient, one TCP connection, static 192.168.30.250/24 on vpn_bench
//
// Both directions: download from nginx, and upload (curl PUT) into a hashing sink in the server
// netns (test/harness/upload-sink.ts; HTTPS on :8444 for raw TLS, HTTP on :8081 for the rest).
// Each is measured --runs times (rounds interleave the methods and directions, so background load
// hits all alike); medians are printed per direction with the ratios, CPU seconds per GB of the
// tunnel process and of vpnserver, peak RSS, outer TCP segments per MB, and event-loop lag.
//
// usage (root): node --import tsx test/bench/throughput.ts [--size MB=200] [--runs N=3] [--profile DIR]
//   --profile DIR   also run the CLI and the in-process engine under `node --cpu-prof` (profiles
//                   land in DIR) and print their top self-time functions during the transfers.
//                   Profiling slows the engine: take the goodput figures from a run without it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { onProcessExit } from '../harness/cleanup.js';
import { run, tool, waitFor } from '../harness/netns.js';
import { startSoftEtherClient, type SoftEtherClient } from '../harness/softether-client.js';
import { canRunIntegration, startSoftEther, type BlobInfo, type SoftEtherServer } from '../harness/softether.js';
import { makeOwnedDir } from '../harness/state.js';
import { CAUSEWAY_BIN } from '../support/run-cli.js';
import { spawnJsonChild, type JsonChild } from '../support/json-child.js';
import { startUploadSink, parseUploadResult, type UploadSink } from '../harness/upload-sink.js';
import {
  childPids,
  machineJiffies,
  median,
  parseSsSegments,
  peakRssBytes,
  resetPeakRss,
  sumCpuSeconds,
  summarizeCpuProfile,
  type ProfileSummary,
  type Segments,
} from './throughput-lib.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const RUNNER = fileURLToPath(new URL('./throughput-runner.ts', import.meta.url));
const SERVER_NAME = 'cw-tput';
// Client netns indexes for startClientNetns: cw-c90.. on 10.210.90.0/24.., clear of the integration tests' low indexes.
const NS = { raw: 90, cli: 91, engine: 92, softether: 93 } as const;
const TLS_PORT = 8443;
// The upload sink (test/harness/upload-sink.ts) in the server netns: plain, and TLS for the raw baseline.
const SINK_PORT = 8081;
const SINK_TLS_PORT = 8444;
const BRIDGE_HOST = '192.168.30.5';
// Both directions, five paths each: about twice the download-only run.
const DEADLINE_MS = 480_000;

// --- arguments ----------------------------------------------------------------------------------

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const sizeMb = Number(argValue('--size') ?? 200);
const runs = Number(argValue('--runs') ?? 3);
const profileDirArg = argValue('--profile');
if (!Number.isInteger(sizeMb) || sizeMb < 1 || sizeMb > 2000)
  throw new Error('--size must be 1..2000 (MB, 10^6 bytes)');
if (!Number.isInteger(runs) || runs < 1 || runs > 10) throw new Error('--runs must be 1..10');
const SIZE = sizeMb * 1_000_000;
const profileDir = profileDirArg === undefined ? undefined : resolve(profileDirArg);

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

// --- pieces -------------------------------------------------------------------------------------

/** nginx with TLS on :8443 in the server netns, serving the same folder as the harness's plain nginx. */
async function startTlsNginx(
  server: SoftEtherServer,
): Promise<{ stop: () => void; certPath: string; keyPath: string }> {
  const dir = makeOwnedDir('tput-tls');
  const www = server.httpRoot;
  if (www === undefined) throw new Error('server without httpRoot');
  await run(tool('openssl'), [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-subj',
    '/CN=bench.example.test',
  ]);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const conf = [
    'daemon off;',
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    '  default_type application/octet-stream;',
    `  client_body_temp_path ${join(dir, 'body')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'scgi')};`,
    '  server {',
    `    listen ${TLS_PORT} ssl;`,
    `    ssl_certificate ${join(dir, 'cert.pem')};`,
    `    ssl_certificate_key ${join(dir, 'key.pem')};`,
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    `    root ${www};`,
    '  }',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const out = openSync(join(dir, 'nginx.out'), 'a');
  const child = spawn(
    tool('ip'),
    [
      'netns',
      'exec',
      server.netns,
      tool('setpriv'),
      '--pdeathsig',
      'KILL',
      '--',
      tool('nginx'),
      '-e',
      join(dir, 'error.log'),
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  const stop = (): void => {
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(stop);
  return {
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    stop: () => {
      stop();
      unregister();
    },
  };
}

type Direction = 'down' | 'up';

interface Transfer {
  bytes: number;
  seconds: number;
  /** MB/s, 10^6 bytes per second. */
  mbps: number;
}

function curlArgs(url: string): string[] {
  return ['-sS', '--max-time', '60', ...(url.startsWith('https:') ? ['-k'] : [])];
}

/** One timed download to /dev/null; curl's own clock (name lookup to last byte). */
async function download(ns: ClientNetns, url: string): Promise<Transfer> {
  const r = await ns.exec(
    tool('curl'),
    [...curlArgs(url), '-o', '/dev/null', '-w', '%{size_download} %{time_total}', url],
    { timeoutMs: 70_000 },
  );
  const [bytesText, secondsText] = r.stdout.trim().split(' ');
  const bytes = Number(bytesText);
  const seconds = Number(secondsText);
  if (bytes !== SIZE) throw new Error(`${url} from ${ns.name}: ${bytes} bytes, expected ${SIZE}`);
  return { bytes, seconds, mbps: bytes / seconds / 1e6 };
}

/**
 * One timed upload (PUT) of `file` into the sink; curl's clock runs until the sink's answer, which it
 * sends after the last byte with the length and sha256 it got — so every timed upload is checked too.
 * "Expect:" off: no 100-continue round trip before the body.
 */
async function upload(ns: ClientNetns, url: string, file: string, sha256: string): Promise<Transfer> {
  const r = await ns.exec(
    tool('curl'),
    [...curlArgs(url), '--fail', '-H', 'Expect:', '-T', file, '-w', '\n%{size_upload} %{time_total}', url],
    { timeoutMs: 70_000 },
  );
  const lines = r.stdout.trim().split('\n');
  const answer = parseUploadResult(lines[0] ?? '');
  const [bytesText, secondsText] = (lines[lines.length - 1] ?? '').split(' ');
  const bytes = Number(bytesText);
  const seconds = Number(secondsText);
  if (answer.bytes !== SIZE || answer.sha256 !== sha256 || bytes !== SIZE) {
    throw new Error(
      `upload to ${url} from ${ns.name}: sink got ${answer.bytes} bytes, sha256 ${answer.sha256}; expected ${SIZE}, ${sha256}`,
    );
  }
  return { bytes, seconds, mbps: bytes / seconds / 1e6 };
}

/** One untimed download through a hashing sink: the bytes are right. Also returns curl's TLS line. */
async function verify(ns: ClientNetns, url: string, sha256: string): Promise<string> {
  const child = spawn(tool('ip'), ['netns', 'exec', ns.name, tool('curl'), ...curlArgs(url), '-v', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hash = createHash('sha256');
  let err = '';
  child.stdout.on('data', (d: Buffer) => hash.update(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 70_000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  const got = hash.digest('hex');
  if (code !== 0 || got !== sha256)
    throw new Error(
      `verify ${url} from ${ns.name}: exit ${code}, sha256 ${got}, expected ${sha256}\n${err.slice(-2000)}`,
    );
  return /SSL connection using ([^\n]+)/.exec(err)?.[1]?.trim() ?? '';
}

function nodeArgs(profileSub: string): string[] {
  if (profileDir === undefined) return [];
  const dir = join(profileDir, profileSub);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200'];
}

function startCli(ns: ClientNetns): JsonChild {
  // setpriv: if we die, the CLI gets SIGTERM and tears its tunnel down itself.
  return spawnJsonChild(
    tool('ip'),
    [
      'netns',
      'exec',
      ns.name,
      tool('setpriv'),
      '--pdeathsig',
      'TERM',
      '--',
      process.execPath,
      ...nodeArgs('cli'),
      CAUSEWAY_BIN,
      'connect',
      ns.serverAddress,
      '--user',
      'testuser',
      '--password-stdin',
      '--insecure',
      '--json',
      '--no-dns',
      '--interface',
      'cwbench0',
    ],
    'testpass\n',
    { detached: true },
  );
}

function startEngine(ns: ClientNetns): JsonChild {
  return spawnJsonChild(
    tool('ip'),
    [
      'netns',
      'exec',
      ns.name,
      tool('setpriv'),
      '--pdeathsig',
      'TERM',
      '--',
      process.execPath,
      ...nodeArgs('engine'),
      '--import',
      'tsx',
      RUNNER,
      ns.serverAddress,
      '--interface',
      'cwbench1',
    ],
    'testpass\n',
    { detached: true, keepStdinOpen: true },
  );
}

async function stopJsonChild(c: JsonChild | undefined, how: 'signal' | 'stdin'): Promise<number | null | undefined> {
  if (c === undefined || c.child.exitCode !== null || c.child.signalCode !== null) return c?.child.exitCode;
  if (how === 'stdin') c.send('stop');
  else c.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (c.child.pid !== undefined) {
      try {
        process.kill(-c.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 10_000);
  const code = await c.exited;
  clearTimeout(timer);
  return code;
}

// --- the run ------------------------------------------------------------------------------------

interface Sample extends Transfer {
  cpu?: number;
  /** vpnserver's CPU seconds during the transfer (the server side of every tunnel). */
  serverCpu: number;
  machineBusy: number;
  /** Peak RSS of the tunnel process(es) during the transfer, bytes. */
  peakRss?: number;
  /** TCP segments of the tunnel's outer connection during the transfer (tunnels only). */
  segments?: Segments;
  lagP99?: number;
  lagMax?: number;
  pump?: Record<string, number>;
  tun?: Record<string, number>;
}

type PathName = 'raw TLS' | 'direct TCP' | 'Causeway CLI' | 'Causeway engine' | 'SoftEther client';

interface Method {
  name: PathName;
  dir: Direction;
  ns: ClientNetns;
  url: string;
  /** pids whose CPU counts (the tunnel's process), empty for the no-tunnel baselines. */
  pids: number[];
  engine?: JsonChild;
  samples: Sample[];
  tls?: string;
}

/**
 * Outer TCP segments so far of a tunnel's long-lived connection to :443 (`ss` segs_out/segs_in, which
 * the kernel counts per wire segment even for GSO/GRO packets). Not for the no-tunnel paths: curl's
 * connection is gone before ss could be asked after the transfer, and the namespace's totals
 * (/proc/net/snmp InSegs) count a GRO packet as one segment, which would not compare.
 */
async function readSegments(m: Method): Promise<Segments | undefined> {
  if (m.pids.length === 0) return undefined;
  try {
    return parseSsSegments((await m.ns.exec(tool('ss'), ['-tinH', 'state', 'established', '( dport = :443 )'])).stdout);
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const check = canRunIntegration();
  if (!check.ok) {
    say(`cannot run: ${check.why}`);
    return 2;
  }
  for (const file of [join(ROOT, 'dist/main/cli/index.js'), join(ROOT, 'native/tun/build/Release/causeway_tun.node')]) {
    if (!existsSync(file)) {
      say(`missing ${file}: run npm run build first`);
      return 2;
    }
  }
  const t0 = Date.now();
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  say(
    `throughput: ${sizeMb} MB each way, ${runs} runs per method and direction, load average ${load}${profileDir ? `, profiling into ${profileDir}` : ''}`,
  );

  let server: SoftEtherServer | undefined;
  const spaces: ClientNetns[] = [];
  let tlsNginx: { stop: () => void; certPath: string; keyPath: string } | undefined;
  let sink: UploadSink | undefined;
  let cli: JsonChild | undefined;
  let engine: JsonChild | undefined;
  let softether: SoftEtherClient | undefined;
  // Last resort on Ctrl-C / crash: the children (the netns and server go through their own hooks).
  const unregister = onProcessExit(() => {
    for (const c of [cli, engine]) {
      if (c?.child.pid !== undefined && c.child.exitCode === null) {
        try {
          process.kill(-c.child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });
  try {
    server = await startSoftEther({ name: SERVER_NAME, http: true });
    const blob: BlobInfo = await server.writeRandomBlob('bench.bin', SIZE);
    // A second file for uploads, so the sink's hash can only match bytes that really went up.
    const upBlob: BlobInfo = await server.writeRandomBlob('bench-up.bin', SIZE);
    const [raw, nsCli, nsEngine, nsSe] = await Promise.all([
      startClientNetns(server.netns, NS.raw),
      startClientNetns(server.netns, NS.cli),
      startClientNetns(server.netns, NS.engine),
      startClientNetns(server.netns, NS.softether),
    ]);
    spaces.push(raw, nsCli, nsEngine, nsSe);
    tlsNginx = await startTlsNginx(server);
    sink = await startUploadSink({
      netns: server.netns,
      port: SINK_PORT,
      tls: { port: SINK_TLS_PORT, certPath: tlsNginx.certPath, keyPath: tlsNginx.keyPath },
    });
    const tlsUrl = `https://${raw.serverAddress}:${TLS_PORT}/${blob.name}`;
    const directUrl = `http://${raw.serverAddress}:8080/${blob.name}`;
    await waitFor(
      'nginx TLS',
      async () =>
        (
          await raw.exec(tool('curl'), ['-sk', '-o', '/dev/null', `https://${raw.serverAddress}:${TLS_PORT}/`], {
            allowFailure: true,
          })
        ).code === 0,
      10_000,
      50,
    );

    // The three tunnels come up side by side; each waits for its own "connected".
    cli = startCli(nsCli);
    engine = startEngine(nsEngine);
    const seServer = nsSe.serverAddress;
    const [cliUp, engineUp, se] = await Promise.all([
      cli.waitFor((e) => e['event'] === 'connected', 45_000),
      engine.waitFor((e) => e['event'] === 'connected', 45_000),
      startSoftEtherClient({ netns: nsSe.name, server: seServer }),
    ]);
    softether = se;
    const cliPid = cli.child.pid;
    const enginePid = engine.child.pid;
    if (cliPid === undefined || enginePid === undefined) throw new Error('no pid');
    const tunnelTls = cliUp['tls'] as { version: string; cipher: string };
    say(
      `up after ${((Date.now() - t0) / 1000).toFixed(1)} s: Causeway ${String(cliUp['address'])} (${tunnelTls.version} ${tunnelTls.cipher}), engine ${String(engineUp['address'])}, SoftEther ${se.address}`,
    );

    const sePids = await se.pids();
    const sinkPath = `/${upBlob.name}`;
    const tunnelSink = `http://${BRIDGE_HOST}:${SINK_PORT}${sinkPath}`;
    const methods: Method[] = [];
    for (const dir of ['down', 'up'] as const) {
      const pick = (downUrl: string, upUrl: string): string => (dir === 'down' ? downUrl : upUrl);
      methods.push(
        {
          name: 'raw TLS',
          dir,
          ns: raw,
          url: pick(tlsUrl, `https://${raw.serverAddress}:${SINK_TLS_PORT}${sinkPath}`),
          pids: [],
          samples: [],
        },
        {
          name: 'direct TCP',
          dir,
          ns: raw,
          url: pick(directUrl, `http://${raw.serverAddress}:${SINK_PORT}${sinkPath}`),
          pids: [],
          samples: [],
        },
        {
          name: 'Causeway CLI',
          dir,
          ns: nsCli,
          url: pick(blob.url, tunnelSink),
          pids: [cliPid],
          samples: [],
          tls: `${tunnelTls.version} ${tunnelTls.cipher}`,
        },
        {
          name: 'Causeway engine',
          dir,
          ns: nsEngine,
          url: pick(blob.url, tunnelSink),
          pids: [enginePid],
          engine,
          samples: [],
        },
        { name: 'SoftEther client', dir, ns: nsSe, url: pick(blob.url, tunnelSink), pids: sePids, samples: [] },
      );
    }
    const transfer = (m: Method): Promise<Transfer> =>
      m.dir === 'down' ? download(m.ns, m.url) : upload(m.ns, m.url, upBlob.path, upBlob.sha256);

    // Warm-up and correctness: one transfer per method and direction through a hashing sink.
    for (const m of methods) {
      if (m.dir === 'down') {
        const tlsLine = await verify(m.ns, m.url, blob.sha256);
        if (m.name === 'raw TLS') m.tls = tlsLine;
      } else {
        await transfer(m);
      }
    }
    say(
      `sha256 verified through every path, both directions (${blob.sha256.slice(0, 12)}… down, ${upBlob.sha256.slice(0, 12)}… up)`,
    );

    const serverPids = (await server.processes()).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'vpnserver';
      } catch {
        return false;
      }
    });
    // Transfer windows per direction: the profiles are summarised for downloads and uploads apart.
    const windows: Record<Direction, [number, number][]> = { down: [], up: [] };
    let rssReset = true;
    for (let round = 0; round < runs; round++) {
      // Rotate the order so no method always runs right after another.
      const order = methods.map((_, i) => methods[(i + round) % methods.length] as Method);
      for (const m of order) {
        if (m.engine !== undefined) {
          const from = m.engine.events.length;
          m.engine.send('mark');
          await m.engine.waitFor((e) => e['event'] === 'marked', 5_000, from);
        }
        if (m.pids.length > 0 && !resetPeakRss(m.pids)) rssReset = false;
        const seg0 = await readSegments(m);
        const cpu0 = sumCpuSeconds(m.pids);
        const s0 = sumCpuSeconds(serverPids);
        const j0 = machineJiffies();
        const w0 = Number(process.hrtime.bigint() / 1000n);
        const tr = await transfer(m);
        const w1 = Number(process.hrtime.bigint() / 1000n);
        const cpu1 = sumCpuSeconds(m.pids);
        const s1 = sumCpuSeconds(serverPids);
        const j1 = machineJiffies();
        const seg1 = await readSegments(m);
        if (m.name.startsWith('Causeway')) windows[m.dir].push([w0, w1]);
        const sample: Sample = {
          ...tr,
          serverCpu: s1 - s0,
          machineBusy: (j1.busy - j0.busy) / Math.max(1, j1.total - j0.total),
        };
        if (m.pids.length > 0) {
          sample.cpu = cpu1 - cpu0;
          sample.peakRss = peakRssBytes(m.pids);
        }
        if (seg0 !== undefined && seg1 !== undefined)
          sample.segments = { out: seg1.out - seg0.out, in: seg1.in - seg0.in };
        if (m.engine !== undefined) {
          const from = m.engine.events.length;
          m.engine.send('report');
          const rep = await m.engine.waitFor((e) => e['event'] === 'report', 5_000, from);
          const lag = rep['lag'] as { p99: number; max: number };
          sample.lagP99 = lag.p99;
          sample.lagMax = lag.max;
          sample.pump = rep['pump'] as Record<string, number>;
          if (rep['tun'] !== undefined) sample.tun = rep['tun'] as Record<string, number>;
        }
        m.samples.push(sample);
        say(
          `  round ${round + 1} ${m.dir.padEnd(4)} ${m.name.padEnd(16)} ${sample.mbps.toFixed(1).padStart(7)} MB/s` +
            (sample.cpu !== undefined ? `  cpu ${sample.cpu.toFixed(2)} s` : '') +
            `  server ${sample.serverCpu.toFixed(2)} s` +
            (sample.lagP99 !== undefined ? `  lag p99 ${sample.lagP99} ms` : '') +
            `  machine ${(sample.machineBusy * 100).toFixed(0)}% busy`,
        );
      }
    }

    // --- report ---
    const med = (m: Method, f: (s: Sample) => number | undefined): number =>
      median(m.samples.map(f).filter((x): x is number => x !== undefined));
    const perGb = (x: number, s: Sample): number => (x / s.bytes) * 1e9;
    const perMb = (x: number, s: Sample): number => (x / s.bytes) * 1e6;
    const fmt = (x: number, digits: number): string => (Number.isNaN(x) ? '—' : x.toFixed(digits));
    const by = (n: PathName, dir: Direction): Method => methods.find((m) => m.name === n && m.dir === dir) as Method;
    const out: string[] = [];
    out.push('');
    out.push(
      `Throughput, ${sizeMb} MB each way, median of ${runs} (MB = 10^6 bytes; CPU-s/GB = utime+stime of the client's tunnel process per 10^9 bytes;`,
    );
    out.push(
      `server = the same for vpnserver; RSS = peak (VmHWM) of the tunnel process during a transfer; segs/MB = TCP segments of the outer connection, out/in)`,
    );
    for (const dir of ['down', 'up'] as const) {
      out.push('');
      out.push(
        dir === 'down'
          ? 'download (server → client: nginx → curl)'
          : `upload (client → server: curl PUT → sink on ${BRIDGE_HOST}:${SINK_PORT}, hashing)`,
      );
      out.push(
        `  ${'path'.padEnd(18)}${'MB/s'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'CPU-s/GB'.padStart(10)}${'server'.padStart(8)}${'RSS MB'.padStart(8)}${'segs/MB'.padStart(12)}   notes`,
      );
      for (const m of methods.filter((x) => x.dir === dir)) {
        const mb = m.samples.map((s) => s.mbps);
        const cpuPerGb = med(m, (s) => (s.cpu === undefined ? undefined : perGb(s.cpu, s)));
        const rss = med(m, (s) => (s.peakRss === undefined ? undefined : s.peakRss / 1e6));
        const segOut = med(m, (s) => (s.segments === undefined ? undefined : perMb(s.segments.out, s)));
        const segIn = med(m, (s) => (s.segments === undefined ? undefined : perMb(s.segments.in, s)));
        const notes: string[] = [];
        if (m.tls !== undefined && m.tls !== '') notes.push(m.tls);
        if (m.name === 'Causeway engine') {
          notes.push(
            `event-loop lag p99 ${fmt(
              med(m, (s) => s.lagP99),
              1,
            )} ms (max ${Math.max(...m.samples.map((s) => s.lagMax ?? 0)).toFixed(1)})`,
          );
          // One SSTP data frame per IP packet each way: the pump's packet counters are the frame counts.
          const frames = med(m, (s) =>
            s.pump === undefined
              ? undefined
              : perMb((dir === 'down' ? s.pump['rxPackets'] : s.pump['txPackets']) ?? 0, s),
          );
          notes.push(`SSTP data frames ${fmt(frames, 0)}/MB ${dir === 'down' ? 'in' : 'out'}`);
          const p = m.samples[m.samples.length - 1]?.pump;
          if (p !== undefined) notes.push(`tunStalls ${p['tunStalls'] ?? 0} tlsStalls ${p['tlsStalls'] ?? 0}`);
          const tun = m.samples[m.samples.length - 1]?.tun;
          if (tun !== undefined && dir === 'down') {
            const gso = tun['txGsoPackets'] ?? 0;
            const plain = (tun['txPackets'] ?? 0) - (tun['txGsoSegments'] ?? 0);
            notes.push(
              `TUN writes ${gso + plain} (${gso} GSO, ${((tun['txGsoSegments'] ?? 0) / Math.max(1, gso)).toFixed(1)} segments each)`,
            );
          } else if (tun !== undefined) {
            // The writes on an upload are the sink's ACKs coming back (pure ACKs are never merged).
            notes.push(
              `TUN reads ${tun['rxPackets'] ?? 0} packets in ${tun['rxWakeups'] ?? 0} wake-ups, TUN writes ${tun['txPackets'] ?? 0}`,
            );
          }
        }
        if (m.name === 'SoftEther client') notes.push('1 TCP connection');
        out.push(
          `  ${m.name.padEnd(18)}${median(mb).toFixed(1).padStart(8)}${Math.min(...mb)
            .toFixed(1)
            .padStart(8)}${Math.max(...mb)
            .toFixed(1)
            .padStart(8)}` +
            `${fmt(cpuPerGb, 2).padStart(10)}` +
            `${(m.ns === raw
              ? '—'
              : fmt(
                  med(m, (s) => perGb(s.serverCpu, s)),
                  2,
                )
            ).padStart(8)}` +
            `${fmt(rss, 0).padStart(8)}${`${fmt(segOut, 0)}/${fmt(segIn, 0)}`.padStart(12)}   ${notes.join('; ')}`,
        );
      }
      const cw = median(by('Causeway CLI', dir).samples.map((s) => s.mbps));
      const rawTls = median(by('raw TLS', dir).samples.map((s) => s.mbps));
      const seMbps = median(by('SoftEther client', dir).samples.map((s) => s.mbps));
      const cpuCw = med(by('Causeway CLI', dir), (s) => (s.cpu === undefined ? undefined : perGb(s.cpu, s)));
      const cpuSe = med(by('SoftEther client', dir), (s) => (s.cpu === undefined ? undefined : perGb(s.cpu, s)));
      out.push(`  Causeway CLI ÷ raw TLS          ${(cw / rawTls).toFixed(2)}×`);
      out.push(`  Causeway CLI ÷ SoftEther client ${(cw / seMbps).toFixed(2)}×   (issue 17 target ≥ 1.20×)`);
      out.push(
        `  CPU per GB, Causeway CLI ÷ SoftEther client ${(cpuCw / cpuSe).toFixed(2)}×   (Causeway ${fmt(cpuCw, 2)} CPU-s/GB; target ≤ 2.00)`,
      );
    }
    out.push('');
    const helperPids = childPids(cliPid);
    if (helperPids.length > 0)
      out.push(
        `  privileged helper of the CLI: peak RSS ${(peakRssBytes(helperPids) / 1e6).toFixed(0)} MB over the whole run`,
      );
    if (!rssReset) out.push('  (the kernel refused to reset VmHWM: RSS is the peak since each process started)');
    out.push(
      `  machine busy during transfers (all processes, both cores): median ${(median(methods.flatMap((m) => m.samples.map((s) => s.machineBusy))) * 100).toFixed(0)}%; load average at start ${load}`,
    );
    if (profileDir !== undefined) out.push('  (profiling was on: Causeway figures are slowed by it)');
    process.stdout.write(`${out.join('\n')}\n`);

    // --- stop the tunnels, then the profiles can be read ---
    const cliCode = await stopJsonChild(cli, 'signal');
    const engineCode = await stopJsonChild(engine, 'stdin');
    if (cliCode !== 0) say(`warning: causeway connect exited with ${cliCode ?? 'a signal'}\n${cli.output()}`);
    if (engineCode !== 0)
      say(`warning: the in-process engine exited with ${engineCode ?? 'a signal'}\n${engine.output()}`);
    if (profileDir !== undefined) {
      for (const sub of ['cli', 'engine']) {
        const dir = join(profileDir, sub);
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
        // The tunnel process writes the biggest profile (the helper is a separate, mostly idle process).
        const sized = files.map((f) => ({ f, s: statSync(join(dir, f)).size })).sort((a, b) => b.s - a.s);
        const file = sized[0]?.f;
        if (file === undefined) {
          say(`no profile in ${dir}`);
          continue;
        }
        for (const d of ['down', 'up'] as const) {
          printProfile(
            `${sub === 'cli' ? 'causeway connect' : 'in-process engine'}, ${d === 'down' ? 'downloads' : 'uploads'} (${join(dir, file)})`,
            summarizeCpuProfile(join(dir, file), windows[d], ROOT),
          );
        }
      }
    }
    say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    await stopJsonChild(cli, 'signal').catch(() => undefined);
    await stopJsonChild(engine, 'stdin').catch(() => undefined);
    await softether?.stop().catch(() => undefined);
    await sink?.stop().catch(() => undefined);
    tlsNginx?.stop();
    for (const ns of spaces.reverse()) await ns.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    unregister();
  }
}

function printProfile(title: string, p: ProfileSummary): void {
  const lines = [
    '',
    `Top self time in ${title}`,
    `  ${p.windowed ? 'during the Causeway transfers' : 'whole run (no sample matched the transfer windows)'}: ${p.busyMs.toFixed(0)} ms busy, ${p.idleMs.toFixed(0)} ms idle`,
    ...p.rows.map(
      (r) => `  ${(r.share * 100).toFixed(1).padStart(5)}% ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}  ${r.where}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const watchdog = setTimeout(() => {
  say(`throughput: still running after ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(3);
}, DEADLINE_MS);
watchdog.unref();
process.exitCode = await main().catch((e: unknown) => {
  say(`throughput failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
});
