// Many sessions in one process (issue 17): `causeway connect s1 … sN` (N = 1, 4, 16 by default) to one
// SoftEther server, each a split-tunnel profile with its own /32 behind the server (extra addresses
// on the server's bridge), and N downloads at the same time, one through each TUN. Reports the
// aggregate goodput, the connect process's CPU-s/GB, its RSS per session (VmRSS connected and idle,
// VmHWM during the transfers), the helpers' RSS, and fairness (slowest ÷ fastest session).
// Root; needs `npm run build` (dist/). `npm run bench:sessions -- [--sessions 1,4,16] [--size MB]`.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { netnsPids, run, sleep, tool } from '../harness/netns.js';
import { requireRoot, startSoftEther, type SoftEtherServer } from '../harness/softether.js';
import { startCliProcess, type CliProcess } from '../support/cli-process.js';
import { runCli } from '../support/run-cli.js';

const INDEX = 84;
const address = (k: number) => `10.78.${Math.floor(k / 250)}.${(k % 250) + 1}`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** /proc/<pid>/status figure in MB (10^6 bytes); 0 once the process is gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m?.[1] === undefined ? 0 : (Number(m[1]) * 1024) / 1e6;
  } catch {
    return 0;
  }
}

/** utime + stime of one process, in seconds (USER_HZ is 100 on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

interface Transfer {
  readonly bytes: number;
  readonly seconds: number;
}

/** One curl inside the client namespace; its own figures (size and time of the transfer). */
function download(client: ClientNetns, url: string): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const c = spawn(tool('ip'), [
      'netns',
      'exec',
      client.name,
      'curl',
      '-sS',
      '--max-time',
      '300',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download} %{time_total}',
      url,
    ]);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      const [bytes, seconds] = out.trim().split(' ').map(Number);
      if (code !== 0 || !bytes || !seconds) reject(new Error(`curl ${url}: exit ${code}, ${out}`));
      else resolve({ bytes, seconds });
    });
  });
}

interface Row {
  readonly n: number;
  readonly connectS: number;
  readonly aggregateMBs: number;
  readonly cpuSPerGB: number;
  readonly idleRssMB: number;
  readonly peakRssMB: number;
  readonly helperRssMB: number;
  readonly fairness: number;
}

async function measure(
  n: number,
  client: ClientNetns,
  env: NodeJS.ProcessEnv,
  server: SoftEtherServer,
  blobName: string,
): Promise<Row> {
  const names = Array.from({ length: n }, (_, k) => `sess-${k + 1}`);
  const t0 = performance.now();
  const cli: CliProcess = startCliProcess(
    ['ip', 'netns', 'exec', client.name],
    ['connect', ...names, '--password-stdin', '--json', '--kill-switch', 'off'],
    server.users.password,
    env,
  );
  try {
    // One target runs the single-session path, whose lines carry no `target`.
    for (const name of names)
      await cli
        .waitFor((e) => e['event'] === 'connected' && (n === 1 || e['target'] === name), 120_000)
        .catch((e: unknown) => {
          throw new Error(`${name} did not connect: ${String(e)}\n${cli.output().slice(-3000)}`);
        });
    const connectS = (performance.now() - t0) / 1000;
    // `ip netns exec` execs node: the child's pid is the connect process.
    const pid = cli.child.pid ?? 0;
    await sleep(2_000);
    const idleRssMB = statusMb(pid, 'VmRSS');
    const helpers = children(pid);
    const helperRssMB = helpers.reduce((s, h) => s + statusMb(h, 'VmRSS'), 0) / Math.max(1, helpers.length);
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const cpu0 = cpuSeconds(pid);
    const w0 = performance.now();
    const transfers = await Promise.all(names.map((_, k) => download(client, `http://${address(k)}:8080/${blobName}`)));
    const wall = (performance.now() - w0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const peakRssMB = statusMb(pid, 'VmHWM');
    const bytes = transfers.reduce((s, t) => s + t.bytes, 0);
    const rates = transfers.map((t) => t.bytes / t.seconds);
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    if (code !== 0) throw new Error(`connect exited ${code}\n${cli.output().slice(-3000)}`);
    const left = await netnsPids(client.name);
    if (left.length > 0) throw new Error(`processes left in ${client.name}: ${left.join(', ')}`);
    return {
      n,
      connectS,
      aggregateMBs: bytes / 1e6 / wall,
      cpuSPerGB: cpu / (bytes / 1e9),
      idleRssMB,
      peakRssMB,
      helperRssMB,
      fairness: Math.min(...rates) / Math.max(...rates),
    };
  } finally {
    cli.child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const root = requireRoot();
  if (!root.ok) throw new Error(root.why);
  const counts = arg('--sessions', '1,4,16').split(',').map(Number);
  const sizeMB = Number(arg('--size', '20'));
  const most = Math.max(...counts);
  const dir = await mkdtemp(join(tmpdir(), 'cw-bench-sessions-'));
  const server = await startSoftEther({ name: 'cw-sess', http: true });
  let client: ClientNetns | undefined;
  const watchdog = setTimeout(() => {
    console.error('bench:sessions: watchdog (600 s)');
    process.exit(1);
  }, 600_000);
  try {
    for (let k = 0; k < most; k++)
      await run(tool('ip'), ['-n', server.netns, 'addr', 'add', `${address(k)}/32`, 'dev', 'tap_soft']);
    const blob = await server.writeRandomBlob('sessions.bin', Math.round(sizeMB * 1e6));
    client = await startClientNetns(server.netns, INDEX);
    const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
    for (let k = 0; k < most; k++) {
      const r = await runCli(
        [
          'profiles',
          'add',
          `sess-${k + 1}`,
          '--server',
          client.serverAddress,
          '--user',
          'testuser',
          '--insecure',
        ].concat(['--no-dns', '--split', `${address(k)}/32`]),
        undefined,
        { env },
      );
      if (r.code !== 0) throw new Error(`profiles add: ${r.stderr}`);
    }
    const rows: Row[] = [];
    for (const n of counts) {
      rows.push(await measure(n, client, env, server, blob.name));
    }
    const load = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
    console.log(`\n${sizeMB} MB per session, load average ${load} (up ${Math.round(uptime() / 60)} min)`);
    console.log(
      'N   connect s  aggregate MB/s  CLI CPU-s/GB  RSS idle MB (per session)  RSS peak MB (per session)  helper RSS MB each  fairness min/max',
    );
    const per = (r: Row, mb: number) => `${mb.toFixed(1)} (${(mb / r.n).toFixed(1)})`;
    for (const r of rows)
      console.log(
        [
          String(r.n).padEnd(3),
          r.connectS.toFixed(1).padStart(9),
          r.aggregateMBs.toFixed(1).padStart(15),
          r.cpuSPerGB.toFixed(2).padStart(13),
          per(r, r.idleRssMB).padStart(26),
          per(r, r.peakRssMB).padStart(26),
          r.helperRssMB.toFixed(1).padStart(19),
          r.fairness.toFixed(2).padStart(17),
        ].join(' '),
      );
    if (rows.length > 1) {
      const [a, b] = [rows[0], rows[rows.length - 1]];
      if (a && b && b.n > a.n)
        console.log(`RSS per further session (idle): ${((b.idleRssMB - a.idleRssMB) / (b.n - a.n)).toFixed(1)} MB`);
    }
  } finally {
    clearTimeout(watchdog);
    await client?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
