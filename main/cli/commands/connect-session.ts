// One tunnel of `causeway connect`, from a decided plan (connect-plan.ts) to its clean end: the
// helper, the kill switch, the Tunnel with failover and one-time codes, the runtime registration,
// and everything undone in the end. `causeway connect HOST` runs one; `causeway connect A B C` runs
// one per argument side by side (connect-many.ts), each with its own helper and TUN.
import { join } from 'node:path';
import { dialingAddresses } from '../../engine/config.js';
import { resolveServerAddress } from '../../engine/transport/resolve-server.js';
import { readLanGateways } from '../../engine/transport/lan-gateways.js';
import { failoverFactory, resolveServerList } from '../../engine/server-list.js';
import { Tunnel } from '../../engine/datapath/tunnel.js';
import type { LogEntry } from '../../engine/log.js';
import { SstpSession } from '../../engine/session.js';
import { HelperClient, HelperError } from '../../helper/client/client.js';
import { helperLaunch } from '../../helper/client/launch.js';
import { HelperNetConfigurator } from '../../helper/client/helper-net-configurator.js';
import { LastServerStore, rememberedServerFirst } from '../../services/connections/last-server.js';
import { watchTunnelLife } from '../../services/system/tunnel-watch.js';
import { combineTaps } from '../../engine/diagnostics/stream-tap.js';
import { connectEvent, describeConnectEvent } from '../connect-events.js';
import type { CliContext } from '../context.js';
import { openDiagnostics } from '../diagnostics-options.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import {
  BLOCKED_SUFFIX,
  describeKillSwitch,
  endKillSwitch,
  killSwitchEndpoints,
  markBlocked,
  startKillSwitch,
} from '../kill-switch-option.js';
import { startCliMetrics } from '../metrics-options.js';
import { CodeSource, withCode } from '../one-time-code.js';
import { formatLogLine } from '../output.js';
import { registerTunnel } from '../tunnel-registration.js';
import type { ConnectCliOptions, SessionPlan } from './connect-plan.js';

export interface SessionScope {
  /** Set when several sessions share the process: every JSON line carries it as `target`. */
  readonly label?: string;
  /** Which session of the process this is (0 for the first or only one): its control socket's slot. */
  readonly slot?: number;
  /** Subscribes the session's clean stop (SIGINT/SIGTERM, or a stop of all); returns the unsubscribe. */
  onStop(stop: () => Promise<void>): () => void;
  /** The tunnel came up for the first time (connect-many undoes the last one up first). */
  readonly onFirstConnected?: () => void;
}

export interface SessionEnd {
  /** What the process would exit with for this session alone (exit-codes.ts). */
  readonly code: number;
  /** Why it ended, for a summary: null after a clean stop. */
  readonly failure: { readonly code: string; readonly message: string } | null;
}

/** The JSON line (or line of text) printer for one session. */
export function sessionEmitter(o: ConnectCliOptions, ctx: CliContext, label: string | undefined) {
  return o.json
    ? (e: Record<string, unknown>) =>
        ctx.stdout(JSON.stringify(label === undefined ? e : { target: label, ...e }) + '\n')
    : (e: Record<string, unknown>) =>
        ctx.stdout(
          (describeKillSwitch(e) ?? describeConnectEvent(e)) +
            (e['trafficBlocked'] === true ? BLOCKED_SUFFIX : '') +
            '\n',
        );
}

export async function runSession(
  plan: SessionPlan,
  o: ConnectCliOptions,
  ctx: CliContext,
  scope: SessionScope,
): Promise<SessionEnd> {
  const { target: t, profile, killSwitch, configDir } = plan;
  const emit = sessionEmitter(o, ctx, scope.label);
  const failed = (code: number, message: string, failureCode = 'failed'): SessionEnd => ({
    code,
    failure: { code: failureCode, message },
  });
  const refuse = (message: string, code: number): SessionEnd => {
    if (o.json) emit({ event: 'error', message });
    else ctx.stderr(`causeway: ${message}\n`);
    return failed(code, message);
  };
  let config = t.config;
  const mode = plan.otp;
  const staticPassword = config.credentials.password;
  const codes = mode
    ? new CodeSource({
        stdin: ctx.stdin,
        fromStdin: o.otpStdin === true,
        label: `One-time code for ${config.credentials.username}@${config.host}: `,
        announce: (attempt, reason) => emit({ event: 'otp-needed', attempt, ...(reason ? { reason } : {}) }),
        terminal: (text) => ctx.stderr(text),
      })
    : undefined;
  // One-time codes (and password+code) are secrets of this run too: scrubbed from its attempt log.
  const codeSecrets: string[] = [];
  if (codes && mode) {
    const first = await codes.next(1);
    if (!first.ok) return refuse(first.failure.message, EXIT.usage);
    config = withCode(config, staticPassword, first.code, mode);
    codeSecrets.push(first.code, config.credentials.password);
  }

  // The TCP connection's destination must stay outside the tunnel: resolve it now.
  const dest = await resolveServerAddress(config);
  if (!dest.ok) {
    const f = dest.failure;
    emit({ event: 'disconnected', reason: { phase: f.phase, code: f.code, message: f.message, detail: f.detail } });
    return failed(EXIT.network, f.message, f.code);
  }
  const serverAddress = dest.address;
  // Dial exactly the address whose host route is kept outside the tunnel (the name stays for SNI/Host).
  // Every address of the name is raced (happy eyeballs) and each keeps a host route outside the tunnel.
  config = dialingAddresses(config, dest);
  // And the LAN's gateways as they are now: IPCP may not hand one of them to the tunnel.
  config = { ...config, lanGateways: await readLanGateways() };
  // A profile's alternate servers: tried in order after a TCP/TLS/HTTP failure, each address kept outside the tunnel too.
  const serverList = await resolveServerList(config, profile?.alternateServers ?? []);
  for (const u of serverList.unresolved)
    ctx.stderr(`causeway: warning: alternate server ${u.server} left out: ${u.failure.message}\n`);
  const protectedAddresses = [...new Set([...dest.addresses, ...serverList.addresses])];
  // As in the app (the same function): the remembered server first, said so, the one that connects remembered.
  const order = await rememberedServerFirst(
    profile ? new LastServerStore(join(configDir, 'last-servers.json')) : undefined,
    profile?.id ?? '',
    serverList.servers,
  );
  const servers = order.servers;
  if (order.notice) ctx.stderr(`causeway: ${order.notice}\n`);

  const attemptLog =
    t.kind === 'profile'
      ? t.services.logs.start(t.profile.id, { secrets: [...t.secrets, ...codeSecrets], verbose: o.verbose === true })
      : undefined;
  const fileSink = attemptLog?.ok ? attemptLog.value.sink : undefined;
  const log = (e: LogEntry) => {
    fileSink?.(e);
    if (o.verbose || e.level === 'warn' || e.level === 'error') {
      if (o.json) emit({ event: 'log', ...e });
      else ctx.stderr(formatLogLine(e));
    }
  };

  const diag = openDiagnostics(o, ctx.env, log);
  if (!diag.ok) {
    if (attemptLog?.ok) attemptLog.value.close();
    return refuse(diag.message, EXIT.usage);
  }
  const diagnostics = diag.diagnostics;
  const metricsStart = await startCliMetrics(o, { server: `${config.host}:${config.port}` });
  if (!metricsStart.ok) {
    if (attemptLog?.ok) attemptLog.value.close();
    await diagnostics.close();
    return refuse(metricsStart.message, EXIT.usage);
  }
  const metrics = metricsStart.running;
  if (metrics) emit({ event: 'metrics', url: metrics.url });
  const tap = combineTaps([diagnostics.tap, metrics?.metrics.tap]);
  const stopExtras = async () => {
    await diagnostics.close();
    await metrics?.server.close();
  };

  let helper: HelperClient;
  try {
    helper = await HelperClient.start(helperLaunch(), {
      onLog: (line) => log({ time: Date.now(), level: 'debug', phase: 'connected', message: `helper: ${line}` }),
    });
  } catch (e) {
    const why = e instanceof HelperError ? `${e.code}: ${e.message}` : String(e);
    const message = `The privileged helper could not start (${why}). Run as root, or install Causeway so polkit can start its helper.`;
    emit({ event: 'disconnected', reason: { phase: 'tcp', code: 'cancelled', message } });
    await stopExtras();
    if (attemptLog?.ok) attemptLog.value.close();
    return failed(EXIT.failure, message, 'cancelled');
  }

  // Before anything is dialled: from here on nothing leaves outside the tunnel but the SSTP connection.
  const armed = await startKillSwitch(
    helper,
    killSwitch,
    killSwitchEndpoints(protectedAddresses, servers, (config.proxy ?? config).port),
    emit,
  );
  if (!armed.ok) {
    await helper.close(5_000);
    await stopExtras();
    if (attemptLog?.ok) attemptLog.value.close();
    return refuse(armed.message, EXIT.failure);
  }

  const uid = process.getuid?.() ?? 0;
  const net = new HelperNetConfigurator(helper, uid, {
    ...(o.interface ? { preferredName: o.interface } : {}),
    // DNS scope: the profile's search domains are all a split tunnel sends to the tunnel's servers.
    ...(profile?.dnsSearchDomains ? { searchDomains: profile.dnsSearchDomains } : {}),
  });
  const tunnel = new Tunnel(
    config,
    {
      routing: plan.routing,
      dns: plan.dns,
      serverAddress,
      serverAddresses: protectedAddresses,
      reconnect: plan.reconnect,
      ...(profile?.mtu ? { mtu: profile.mtu } : {}),
      ...(plan.mssClamp !== undefined
        ? { mssClamp: plan.mssClamp }
        : profile?.mssClamp
          ? { mssClamp: 'mtu' as const }
          : {}),
    },
    {
      net,
      openTun: (name) => net.openTun(name),
      createSession: failoverFactory(servers, (c, d) => new SstpSession(c, d)),
      // Each reconnect asks for a fresh code: the one the dropped session used is spent.
      ...(codes && mode
        ? {
            renewConfig: async (attempt: number) => {
              const next = await codes.next(attempt + 1);
              if (!next.ok) return next;
              const renewed = withCode(config, staticPassword, next.code, mode);
              if (attemptLog?.ok) attemptLog.value.addSecrets([next.code, renewed.credentials.password]);
              return { ok: true as const, config: renewed };
            },
          }
        : {}),
      sessionDeps: {
        log,
        sstpTimers: { helloIntervalMs: plan.keepaliveSeconds * 1000 },
        lcpEchoIntervalMs: plan.keepaliveSeconds * 1000,
        ...(tap ? { tap } : {}),
      },
      log,
    },
  );
  tunnel.onState((s) => emit(markBlocked(connectEvent(s), killSwitch.mode !== 'off')));
  // Awaited before exit, so a connect stopped right after it came up still remembers its server.
  let remembering: Promise<unknown> = Promise.resolve();
  let everConnected = false;
  tunnel.onState((s) => {
    if (s.state !== 'connected') return;
    if (!everConnected) scope.onFirstConnected?.();
    everConnected = true;
    if (!s.info.server) return;
    remembering = order.remember(s.info.server).then((r) => {
      if (!r.ok) ctx.stderr(`causeway: warning: the server in use could not be remembered: ${r.error}\n`);
    });
  });
  if (metrics) tunnel.onState((s) => metrics.metrics.onTunnelState(s));
  // Sleep/resume, a frozen process and route changes: probe at once, wait while there is no route.
  const life = watchTunnelLife(tunnel, {
    serverAddresses: protectedAddresses,
    log: (level, message) => log({ time: Date.now(), level, phase: 'connected', message }),
  });

  let interrupted = false;
  const stop = (): Promise<void> => {
    interrupted = true;
    return tunnel.stop();
  };
  const unsubscribe = scope.onStop(stop);
  // `causeway status` / `disconnect` in another terminal reach this tunnel through a control socket;
  // a disconnect from there is the same clean stop as Ctrl-C (of this session only).
  const registration = await registerTunnel({
    name: profile?.name ?? plan.arg,
    profileId: profile?.id ?? null,
    server: `${config.host}:${config.port}`,
    tunnel,
    stop: () => void stop(),
    ...(scope.slot ? { slot: scope.slot } : {}),
    ...(killSwitch.mode === 'off' ? {} : { killSwitch: killSwitch.mode }),
    env: ctx.env,
  });
  if (!registration.ok)
    ctx.stderr(`causeway: warning: \`causeway status\` will not see this tunnel: ${registration.message}\n`);
  try {
    const first = await tunnel.start();
    if (!first.ok) return failed(exitCodeFor(first.failure.code), first.failure.message, first.failure.code);
    const reason = await tunnel.done;
    if (interrupted || reason === null) return { code: EXIT.ok, failure: null };
    return failed(exitCodeFor(reason.code), reason.message, reason.code);
  } finally {
    unsubscribe();
    const unblockProblem = await endKillSwitch(helper, killSwitch, emit);
    if (unblockProblem) ctx.stderr(`causeway: ${unblockProblem}\n`);
    life.stop();
    await helper.close(5_000);
    await stopExtras();
    await remembering;
    if (attemptLog?.ok) attemptLog.value.close();
    if (registration.ok) await registration.close();
  }
}
