// `causeway bench <target>`: how fast the user's own tunnel is, without root and without a service
// behind the server. It connects like `causeway test` (userspace: no TUN), measures one idle echo,
// then keeps a window of full-size ICMP echoes in flight to the server's own tunnel address for a
// few seconds (engine/packet/echo-load.ts): every byte crosses the tunnel both ways. It prints the
// goodput each way, the round trip under load beside the idle one, and this process's CPU per GB.
import type { Command } from 'commander';
import { systemClock } from '../../engine/clock.js';
import type { SessionConfig } from '../../engine/config.js';
import type { LogEntry } from '../../engine/log.js';
import type { Result } from '../../engine/result.js';
import { ECHO_OVERHEAD_BYTES, startEchoLoad, type EchoLoadResult } from '../../engine/packet/echo-load.js';
import { pingOnce } from '../../engine/packet/ping.js';
import { SstpSession } from '../../engine/session.js';
import type { CliContext } from '../context.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from '../exit-codes.js';
import type { ConnectOptions } from '../options.js';
import { parseOptionalIntegerOption } from '../integer-option.js';
import { jsonOutput, textOutput, type Output } from '../output.js';
import type { ProfileServices } from '../profiles/services.js';
import type { OtpFlags } from '../one-time-code.js';
import { addConnectionOptions, addOtpOptions, resolveRunTarget, type SecretAndOutputOptions } from './test.js';

interface BenchFlags {
  seconds?: string;
  window?: string;
  size?: string;
}

export interface BenchReport {
  readonly event: 'bench';
  readonly ok: boolean;
  readonly server: string;
  readonly target: string;
  readonly payloadBytes: number;
  readonly window: number;
  readonly idleRttMs: number | undefined;
  readonly load: EchoLoadResult;
  /** Answered IP bytes per second, each way (requests out, replies in). */
  readonly megabytesPerSecondEachWay: number;
  /** This process's CPU (user + system) per GB moved, both directions counted. */
  readonly clientCpuSecondsPerGb: number | undefined;
}

/** The load's knobs; --size left out (0) means the server's MRU, capped at 1500. */
const SECONDS = { flag: '--seconds', range: { min: 1, max: 60 } } as const;
const WINDOW = { flag: '--window', range: { min: 1, max: 1024 } } as const;
const SIZE = { flag: '--size', range: { min: 16 + ECHO_OVERHEAD_BYTES, max: 65_535 }, unit: 'bytes' } as const;

export type BenchKnobs = { seconds: number; window: number; size: number };

/** --seconds, --window, --size, each checked against its range; the first bad one is the error. */
export function benchKnobs(o: BenchFlags): Result<BenchKnobs, string> {
  const seconds = parseOptionalIntegerOption(o.seconds, SECONDS, 5);
  if (!seconds.ok) return seconds;
  const window = parseOptionalIntegerOption(o.window, WINDOW, 64);
  if (!window.ok) return window;
  const size = parseOptionalIntegerOption(o.size, SIZE, 0);
  if (!size.ok) return size;
  return { ok: true, value: { seconds: seconds.value, window: window.value, size: size.value } };
}

export function registerBenchCommand(program: Command, ctx: CliContext, services?: ProfileServices): void {
  addOtpOptions(
    addConnectionOptions(
      program
        .command('bench')
        .description(
          "measure your tunnel: connect (no root needed), keep full-size echoes in flight to the server's tunnel address for a few seconds, and print goodput each way, round trips and CPU per GB",
        )
        .argument('<target>', 'a saved profile (name or id), or host or host:port'),
    ),
  )
    .option('--seconds <n>', 'how long to keep the load up (1-60; default 5)')
    .option('--window <n>', 'echo requests in flight at once (1-1024; default 64)')
    .option('--size <bytes>', "IP packet size (default: the server's MRU, at most 1500)")
    .addHelpText(
      'after',
      `\nEvery SSTP server answers an echo to its own tunnel address, so this needs no service behind it;\nthe figures are what one tunnel carries both ways at once (the server's echo work included).\n\n${EXIT_CODES_HELP}\n\nExample:\n  causeway bench Office --seconds 10\n`,
    )
    .action(async (target: string, o: ConnectOptions & SecretAndOutputOptions & OtpFlags & BenchFlags) => {
      const json = o.json === true;
      const out = json ? jsonOutput(ctx.stdout) : textOutput(ctx.stdout, ctx.stderr);
      const knobs = benchKnobs(o);
      if (!knobs.ok) {
        out.error(knobs.error);
        return ctx.setExitCode(EXIT.usage);
      }
      const run = await resolveRunTarget(target, o, out, ctx, services);
      if (!run) return;
      ctx.setExitCode(
        await bench(run.t.config, knobs.value, out, ctx, {
          json,
          verbose: o.verbose === true,
        }),
      );
    });
}

async function bench(
  config: SessionConfig,
  p: BenchKnobs,
  out: Output,
  ctx: CliContext,
  how: { json: boolean; verbose: boolean },
): Promise<number> {
  const log = (e: LogEntry): void => {
    if (how.verbose || e.level === 'warn' || e.level === 'error') out.log(e);
  };
  const session = new SstpSession(config, { log });
  session.onEvent((e) => {
    if (e.type === 'phase') out.progress({ event: 'phase', phase: e.phase });
  });
  const outcome = await session.connect();
  if (!outcome.ok) {
    out.error(`${outcome.failure.message}`);
    return exitCodeFor(outcome.failure.code);
  }
  try {
    const local = outcome.info.ipv4.local;
    const peer = outcome.info.ipv4.peer;
    if (peer === undefined || peer === null) {
      out.error('the server announced no address of its own in IPCP, so there is nothing to send echoes to');
      return EXIT.protocol;
    }
    const ipBytes = p.size > 0 ? Math.min(p.size, session.peerMru) : Math.min(session.peerMru, 1500);
    const idle = await pingOnce(session, systemClock, local, peer, 5_000);
    if (!idle.ok) {
      out.error(`${idle.reason}: the tunnel is up but carries nothing (try \`causeway doctor\`)`);
      return EXIT.network;
    }
    if (!how.json)
      ctx.stderr(`… echo load to ${peer}: ${p.seconds} s, ${p.window} in flight, ${ipBytes}-byte packets\n`);
    const cpu0 = process.cpuUsage();
    const started = startEchoLoad(session, systemClock, {
      source: local,
      target: peer,
      payloadBytes: ipBytes - ECHO_OVERHEAD_BYTES,
      window: p.window,
      durationMs: p.seconds * 1000,
      replyTimeoutMs: 3_000,
    });
    if (!started.ok) {
      out.error(started.reason);
      return EXIT.usage;
    }
    const load = await started.result;
    const cpu = process.cpuUsage(cpu0);
    const movedGb = (2 * load.answeredIpBytes) / 1e9;
    const report: BenchReport = {
      event: 'bench',
      ok: load.answered > 0,
      server: config.host,
      target: peer,
      payloadBytes: ipBytes - ECHO_OVERHEAD_BYTES,
      window: p.window,
      idleRttMs: idle.rttMs,
      load,
      megabytesPerSecondEachWay: load.elapsedMs > 0 ? load.answeredIpBytes / 1e3 / load.elapsedMs : 0,
      clientCpuSecondsPerGb: movedGb > 0 ? (cpu.user + cpu.system) / 1e6 / movedGb : undefined,
    };
    if (how.json) ctx.stdout(`${JSON.stringify(report)}\n`);
    else ctx.stdout(formatBench(report));
    if (!report.ok) out.error(`no echo came back under load from ${peer}: the tunnel dropped everything`);
    return report.ok ? EXIT.ok : EXIT.network;
  } finally {
    await session.disconnect();
  }
}

export function formatBench(r: BenchReport): string {
  const l = r.load;
  const rtt = l.rttMs;
  return [
    `${r.ok ? 'OK' : 'FAILED'}  ${r.server}: echoes to ${r.target}, ${r.payloadBytes + ECHO_OVERHEAD_BYTES}-byte packets, ${r.window} in flight`,
    '',
    `  goodput      ${r.megabytesPerSecondEachWay.toFixed(1)} MB/s each way (${((r.megabytesPerSecondEachWay * 8) / 1000).toFixed(2)} Gbit/s)`,
    `  answered     ${l.answered} of ${l.sent} in ${(l.elapsedMs / 1000).toFixed(1)} s (${l.lost} lost)`,
    `  round trip   idle ${r.idleRttMs ?? '?'} ms; under load p50 ${rtt?.p50 ?? '?'} ms, p99 ${rtt?.p99 ?? '?'} ms, max ${rtt?.max ?? '?'} ms`,
    `  client CPU   ${r.clientCpuSecondsPerGb === undefined ? '?' : r.clientCpuSecondsPerGb.toFixed(2)} CPU-s per GB (both ways counted)`,
    '',
  ].join('\n');
}
