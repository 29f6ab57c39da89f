// The `causeway connect` process's memory at full load (issue 17: <= 80 MB RSS with one session):
// the CLI from dist/ (bin/causeway.js, as a checkout runs it) connects to the harness's SoftEther
// server in full-tunnel mode from its own client namespace; connected and idle for 2 s, then one
// curl download of N MB through the TUN. Reports VmRSS idle, VmHWM during the download (reset with
// clear_refs just before), smaps_rollup's anonymous/file split, the CLI's CPU-s/GB for that download
// and its root helper's RSS. Each variant is the same run with other node flags (e.g. a smaller V8
// young generation), so their RSS and CPU compare within one run. With `probe`, a preload
// (memory-probe.cjs) adds what the peak consists of: heap used/total, external, arrayBuffers and V8's
// spaces — in a run of its own, as sampling costs CPU. Part of memory.ts.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { netnsPids, sleep, tool } from '../harness/netns.js';
import { startSoftEther, type SoftEtherServer } from '../harness/softether.js';
import { spawnJsonChild, type JsonChild } from '../support/json-child.js';
import { CAUSEWAY_BIN } from '../support/run-cli.js';
import { resetPeak, statusMb } from './memory-proc.js';
import { childPids, cpuSeconds } from './throughput-lib.js';

const INDEX = 86;
const PROBE = new URL('./memory-probe.cjs', import.meta.url).pathname;

export interface CliVariant {
  readonly label: string;
  /** node's own flags before bin/causeway.js; 'shebang': bin/causeway.js run as a program, as installed. */
  readonly nodeFlags: readonly string[] | 'shebang';
  /** Preload memory-probe.cjs (what the peak consists of; costs CPU). */
  readonly probe: boolean;
}

export interface CliFigures {
  readonly variant: CliVariant;
  /** node's flags as the process really got them (/proc/<pid>/cmdline up to the script). */
  readonly actualFlags: readonly string[];
  readonly idleMb: number;
  readonly peakMb: number;
  /** smaps_rollup at the end of the download: anonymous (heap, buffers) vs file-backed (code). */
  readonly anonMb: number;
  readonly fileMb: number;
  readonly cpuSPerGB: number;
  readonly mbPerS: number;
  readonly helperMb: number;
  /** memory-probe.cjs maxima (bytes) idle and during the download, when probed. */
  readonly probeIdle?: Record<string, number>;
  readonly probePeak?: Record<string, number>;
}

export interface CliBench {
  run(variant: CliVariant): Promise<CliFigures>;
  stop(): Promise<void>;
}

/** One SoftEther server and client namespace for all variants; `stop` removes both. */
export async function startCliBench(sizeMb: number): Promise<CliBench> {
  const server: SoftEtherServer = await startSoftEther({ name: 'cw-mem', http: true });
  let client: ClientNetns | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'cw-bench-mem-'));
  try {
    const blob = await server.writeRandomBlob('mem.bin', Math.round(sizeMb * 1e6));
    client = await startClientNetns(server.netns, INDEX);
    const c = client;
    return {
      run: async (variant) => {
        // A loaded box's SoftEther now and then drops a fresh connection in the HTTP phase (the CLI
        // exits 3, connection-lost): that is not what is measured here, so such a start is retried.
        for (let attempt = 1; ; attempt++) {
          try {
            return await measure(variant, c, `http://192.168.30.5:8080/${blob.name}`, dir);
          } catch (e) {
            if (!(e instanceof NotConnected) || attempt === 3) throw e;
            console.error(`${variant.label}: did not connect (attempt ${attempt}), again`);
          }
        }
      },
      async stop() {
        await c.stop();
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await client?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

class NotConnected extends Error {}

async function measure(variant: CliVariant, client: ClientNetns, url: string, dir: string): Promise<CliFigures> {
  const probeFile = join(dir, 'probe.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
    // NODE_OPTIONS reaches node however it is started (the #! line too); bin/causeway.js keeps it.
    ...(variant.probe ? { CAUSEWAY_MEM_PROBE: probeFile, NODE_OPTIONS: `--require ${PROBE}` } : {}),
  };
  if (!variant.probe) delete env['NODE_OPTIONS'];
  const command =
    variant.nodeFlags === 'shebang' ? [CAUSEWAY_BIN] : [process.execPath, ...variant.nodeFlags, CAUSEWAY_BIN];
  // `ip netns exec` and setpriv exec: the child's pid is the CLI's node. setpriv: if we die, the CLI
  // gets SIGTERM and takes its tunnel down itself.
  const cli: JsonChild = spawnJsonChild(
    tool('ip'),
    ['netns', 'exec', client.name, tool('setpriv'), '--pdeathsig', 'TERM', '--', ...command]
      .concat(['connect', client.serverAddress, '--user', 'testuser', '--password-stdin'])
      .concat(['--insecure', '--json', '--no-dns', '--interface', 'cwmem0']),
    'testpass\n',
    { detached: true, env },
  );
  try {
    await cli
      .waitFor((e) => e['event'] === 'connected', 60_000)
      .catch((e: unknown) => {
        throw new NotConnected(`${variant.label}: did not connect: ${String(e)}\n${cli.output()}`);
      });
    const pid = cli.child.pid ?? 0;
    const actualFlags = nodeFlagsOf(pid);
    await sleep(2_000);
    const idleMb = statusMb(pid, 'VmRSS');
    const helperMb = childPids(pid).reduce((s, h) => s + statusMb(h, 'VmRSS'), 0);
    const probeIdle = variant.probe ? await probeWindow(pid, probeFile) : undefined;
    if (!resetPeak(pid)) throw new Error('clear_refs refused: the peak would be the lifetime peak');
    const cpu0 = cpuSeconds(pid);
    const t = await download(client, url);
    const cpu = cpuSeconds(pid) - cpu0;
    const peakMb = statusMb(pid, 'VmHWM');
    const rollup = smapsRollupMb(pid);
    const probePeak = variant.probe ? await probeWindow(pid, probeFile) : undefined;
    cli.child.kill('SIGINT');
    const code = await cli.exited;
    if (code !== 0) throw new Error(`${variant.label}: connect exited ${code}\n${cli.output()}`);
    const left = await netnsPids(client.name);
    if (left.length > 0) throw new Error(`processes left in ${client.name}: ${left.join(', ')}`);
    return {
      variant,
      actualFlags,
      idleMb,
      peakMb,
      anonMb: rollup.anon,
      fileMb: rollup.file,
      cpuSPerGB: cpu / (t.bytes / 1e9),
      mbPerS: t.bytes / 1e6 / t.seconds,
      helperMb,
      ...(probeIdle ? { probeIdle } : {}),
      ...(probePeak ? { probePeak } : {}),
    };
  } finally {
    if (cli.child.pid !== undefined && cli.child.exitCode === null) {
      try {
        process.kill(-cli.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** The arguments between node and bin/causeway.js of a running CLI. */
function nodeFlagsOf(pid: number): string[] {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
  const script = args.findIndex((a) => a.endsWith('causeway.js'));
  return args.slice(1, Math.max(1, script));
}

/** Asks the probe for its window's maxima (SIGUSR2) and waits for the file it writes. */
async function probeWindow(pid: number, file: string): Promise<Record<string, number>> {
  const before = readOr(file);
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 50; i++) {
    await sleep(50);
    const now = readOr(file);
    if (now !== '' && now !== before) return JSON.parse(now) as Record<string, number>;
  }
  throw new Error('memory probe did not answer');
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function smapsRollupMb(pid: number): { anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  const mb = (k: number) => Math.round((k * 1024) / 1e5) / 10;
  return { anon: mb(kb('Anonymous')), file: mb(kb('Rss') - kb('Anonymous')) };
}

/** curl inside the client namespace, body to /dev/null; curl's own byte count and time. */
async function download(client: ClientNetns, url: string): Promise<{ bytes: number; seconds: number }> {
  const r = await client.exec(
    tool('curl'),
    ['-sS', '--max-time', '300', '-o', '/dev/null'].concat(['-w', '%{size_download} %{time_total}', url]),
    {
      timeoutMs: 310_000,
    },
  );
  const [bytes, seconds] = r.stdout.trim().split(' ').map(Number);
  if (!bytes || !seconds) throw new Error(`curl ${url}: ${r.stdout} ${r.stderr}`);
  return { bytes, seconds };
}
