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
//
// Pieces: throughput-args (command line), throughput-tls-nginx (the raw TLS server), throughput-curl
// (timed, checked transfers), throughput-causeway (our CLI and in-process engine), throughput-methods
// (the paths and one sample), throughput-report (the tables and profiles).
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startClientNetns, type ClientNetns } from '../harness/client-netns.js';
import { onProcessExit } from '../harness/cleanup.js';
import { tool, waitFor } from '../harness/netns.js';
import { startSoftEtherClient, type SoftEtherClient } from '../harness/softether-client.js';
import { canRunIntegration, startSoftEther, type BlobInfo, type SoftEtherServer } from '../harness/softether.js';
import { startUploadSink, type UploadSink } from '../harness/upload-sink.js';
import type { JsonChild } from '../support/json-child.js';
import { parseThroughputArgs, say } from './throughput-args.js';
import { startCli, startEngine, stopJsonChild } from './throughput-causeway.js';
import { download, upload, verify, type Transfer } from './throughput-curl.js';
import { buildMethods, measure, type Direction, type Method } from './throughput-methods.js';
import { formatReport, printProfiles } from './throughput-report.js';
import { startTlsNginx, TLS_PORT, type TlsNginx } from './throughput-tls-nginx.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const SERVER_NAME = 'cw-tput';
// Client netns indexes for startClientNetns: cw-c90.. on 10.210.90.0/24.., clear of the integration tests' low indexes.
const NS = { raw: 90, cli: 91, engine: 92, softether: 93 } as const;
// The upload sink (test/harness/upload-sink.ts) in the server netns: plain, and TLS for the raw baseline.
const SINK_PORT = 8081;
const SINK_TLS_PORT = 8444;
const BRIDGE_HOST = '192.168.30.5';
// Both directions, five paths each: about twice the download-only run.
const DEADLINE_MS = 480_000;

const { sizeMb, runs, profileDir } = parseThroughputArgs(process.argv);
const SIZE = sizeMb * 1_000_000;

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
  let tlsNginx: TlsNginx | undefined;
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
    cli = startCli(nsCli, profileDir);
    engine = startEngine(nsEngine, profileDir);
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
    const methods: Method[] = buildMethods({
      raw,
      nsCli,
      nsEngine,
      nsSe,
      urls: {
        rawTls: { down: tlsUrl, up: `https://${raw.serverAddress}:${SINK_TLS_PORT}${sinkPath}` },
        direct: { down: directUrl, up: `http://${raw.serverAddress}:${SINK_PORT}${sinkPath}` },
        tunnel: { down: blob.url, up: tunnelSink },
      },
      cliPid,
      enginePid,
      sePids,
      engine,
      cliTls: `${tunnelTls.version} ${tunnelTls.cipher}`,
    });
    const transfer = (m: Method): Promise<Transfer> =>
      m.dir === 'down' ? download(m.ns, m.url, SIZE) : upload(m.ns, m.url, upBlob.path, upBlob.sha256, SIZE);

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
        const got = await measure(m, round, serverPids, transfer);
        if (!got.rssReset) rssReset = false;
        if (m.name.startsWith('Causeway')) windows[m.dir].push(got.window);
        m.samples.push(got.sample);
      }
    }

    process.stdout.write(
      formatReport({
        methods,
        sizeMb,
        runs,
        raw,
        cliPid,
        rssReset,
        load,
        profiling: profileDir !== undefined,
        sinkAt: `${BRIDGE_HOST}:${SINK_PORT}`,
      }),
    );

    // --- stop the tunnels, then the profiles can be read ---
    const cliCode = await stopJsonChild(cli, 'signal');
    const engineCode = await stopJsonChild(engine, 'stdin');
    if (cliCode !== 0) say(`warning: causeway connect exited with ${cliCode ?? 'a signal'}\n${cli.output()}`);
    if (engineCode !== 0)
      say(`warning: the in-process engine exited with ${engineCode ?? 'a signal'}\n${engine.output()}`);
    if (profileDir !== undefined) printProfiles(profileDir, windows, ROOT);
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

const watchdog = setTimeout(() => {
  say(`throughput: still running after ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(3);
}, DEADLINE_MS);
watchdog.unref();
process.exitCode = await main().catch((e: unknown) => {
  say(`throughput failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
});
