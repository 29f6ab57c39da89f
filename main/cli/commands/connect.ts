// `causeway connect <server>`: a real tunnel (TUN device, routes, DNS through the privileged helper)
// that stays up, reconnecting after drops, until SIGINT/SIGTERM; then everything is undone.
import type { Command } from 'commander';
import type { RoutingMode } from '../../engine/datapath/net-configurator.js';
import { dialingAddresses } from '../../engine/config.js';
import { resolveServerAddress } from '../../engine/transport/resolve-server.js';
import { readLanGateways } from '../../engine/transport/lan-gateways.js';
import { failoverFactory, resolveServerList } from '../../engine/server-list.js';
import { Tunnel } from '../../engine/datapath/tunnel.js';
import type { LogEntry } from '../../engine/log.js';
import { SstpSession } from '../../engine/session.js';
import { HelperClient, HelperError } from '../../helper/client/client.js';
import { helperLaunch } from '../../helper/client/launch.js';
import { connectEvent, describeConnectEvent } from '../connect-events.js';
import { HelperNetConfigurator } from '../../helper/client/helper-net-configurator.js';
import type { CliContext } from '../context.js';
import { addDiagnosticsOptions, openDiagnostics, type DiagnosticsCliOptions } from '../diagnostics-options.js';
import { MSS_CLAMP_HELP, parseMssClamp } from '../mss-clamp-option.js';
import { combineTaps } from '../../engine/diagnostics/stream-tap.js';
import { addMetricsOptions, startCliMetrics, type MetricsCliOptions } from '../metrics-options.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from '../exit-codes.js';
import type { ConnectOptions } from '../options.js';
import { CodeSource, otpMode, withCode } from '../one-time-code.js';
import { formatLogLine } from '../output.js';
import { exitCodeForTargetError, resolveConnectTarget } from '../profiles/target.js';
import { registerTunnel } from '../tunnel-registration.js';
import {
  addKillSwitchOptions,
  BLOCKED_SUFFIX,
  chooseKillSwitch,
  describeKillSwitch,
  endKillSwitch,
  killSwitchEndpoints,
  markBlocked,
  startKillSwitch,
  type KillSwitchCliOptions,
} from '../kill-switch-option.js';
import { killSwitchFile, loadKillSwitchSetting } from '../../services/kill-switch/kill-switch-setting.js';
import { resolvePaths } from '../../services/paths.js';
import { LastServerStore } from '../../services/connections/last-server.js';
import { lastGoodFirst } from '../../services/connections/server-failover.js';
import { join } from 'node:path';
import { watchTunnelLife } from '../../services/system/tunnel-watch.js';
import { addConnectionOptions, type SecretAndOutputOptions } from './test.js';

interface ConnectCliOptions
  extends ConnectOptions, SecretAndOutputOptions, DiagnosticsCliOptions, MetricsCliOptions, KillSwitchCliOptions {
  route?: string[];
  defaultRoute?: boolean;
  otp?: string;
  otpStdin?: boolean;
  dns?: boolean;
  reconnect?: boolean;
  keepalive?: string;
  interface?: string;
  mssClamp?: string;
}

export function registerConnectCommand(program: Command, ctx: CliContext): void {
  const command = addMetricsOptions(
    addDiagnosticsOptions(
      addConnectionOptions(
        program
          .command('connect')
          .description(
            'bring a tunnel up (TUN device, routes, DNS) and keep it up until interrupted; needs root or polkit',
          )
          .argument(
            '<target>',
            'a saved profile (name or id; routes, DNS and reconnect come from it), or host or host:port',
          ),
      ),
    ),
  )
    .option(
      '--route <cidr>',
      'send this network through the tunnel (repeatable); with --no-default-route only these',
      collect,
      [],
    )
    .option('--no-default-route', 'split tunnel: do not send all traffic through the tunnel')
    .option('--no-dns', "do not use the server's DNS servers")
    .option('--no-reconnect', 'do not reconnect after the connection drops')
    .option(
      '--otp <mode>',
      "ask for a one-time code at each connect and reconnect, never stored: append (send password+code) or replace (the code is the password); default: the profile's",
    )
    .option(
      '--otp-stdin',
      'read the one-time codes from standard input, one line each time an otp-needed event (or prompt) asks; with --password-stdin the password is the first line',
    )
    .option('--keepalive <seconds>', 'dead-peer detection interval (a silent server is declared dead within two)', '20')
    .option('--interface <name>', 'name for the TUN device (default: causeway0, causeway1, …)')
    .option('--mss-clamp <mss>', MSS_CLAMP_HELP);
  addKillSwitchOptions(command)
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\nAfter the tunnel is up, SIGINT/SIGTERM disconnect cleanly and exit 0.\n`,
    )
    .action(async (server: string, o: ConnectCliOptions) => ctx.setExitCode(await runConnect(server, o, ctx)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runConnect(server: string, o: ConnectCliOptions, ctx: CliContext): Promise<number> {
  const emit = o.json
    ? (e: Record<string, unknown>) => ctx.stdout(JSON.stringify(e) + '\n')
    : (e: Record<string, unknown>) =>
        ctx.stdout(
          (describeKillSwitch(e) ?? describeConnectEvent(e)) +
            (e['trafficBlocked'] === true ? BLOCKED_SUFFIX : '') +
            '\n',
        );
  const refuse = (message: string, code: number) => {
    if (o.json) emit({ event: 'error', message });
    else ctx.stderr(`causeway: ${message}\n`);
    return code;
  };
  const resolved = await resolveConnectTarget(server, o, { stdin: ctx.stdin, env: ctx.env });
  if (!resolved.ok) return refuse(resolved.error.message, exitCodeForTargetError(resolved.error));
  const t = resolved.target;
  if (t.kind === 'address' && t.warning) ctx.stderr(`causeway: warning: ${t.warning}\n`);
  const profile = t.kind === 'profile' ? t.profile : undefined;
  const keepalive = Number(o.keepalive ?? '20');
  if (!Number.isFinite(keepalive) || keepalive < 1 || keepalive > 3600)
    return refuse('--keepalive must be between 1 and 3600 seconds', EXIT.usage);
  const mssClamp = parseMssClamp(o.mssClamp);
  if (!mssClamp.ok) return refuse(mssClamp.error, EXIT.usage);
  const configDir = t.kind === 'profile' ? t.services.paths.configDir : resolvePaths({ env: ctx.env }).configDir;
  const killSwitchChoice = chooseKillSwitch(o, profile?.killSwitch, loadKillSwitchSetting(killSwitchFile(configDir)));
  if (!killSwitchChoice.ok) return refuse(killSwitchChoice.error, EXIT.usage);
  if (killSwitchChoice.warning) ctx.stderr(`causeway: warning: ${killSwitchChoice.warning}\n`);
  const killSwitch = killSwitchChoice.setting;
  // Flags win over the profile; the profile wins over defaults.
  const routes = o.route ?? [];
  const routing: RoutingMode =
    o.defaultRoute === false
      ? { mode: 'split', routes }
      : routes.length > 0 || !profile
        ? { mode: 'full' }
        : profile.routing.mode === 'split'
          ? { mode: 'split', routes: profile.routing.routes }
          : { mode: 'full' };
  const dns = o.dns === false ? false : (profile?.dns ?? true);
  const reconnect =
    o.reconnect === false
      ? { enabled: false }
      : profile
        ? { enabled: profile.reconnect.enabled, maxAttempts: profile.reconnect.maxAttempts }
        : { enabled: true };
  let config = t.config;
  const otp = otpMode(o, profile);
  if (!otp.ok) return refuse(otp.error, EXIT.usage);
  const mode = otp.value;
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
    return EXIT.network;
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
  // As in the app: a profile's list starts with the server that connected last time, and the one
  // that connects now is remembered (<config>/last-servers.json, shared with the app).
  const lastServers =
    profile && serverList.servers.length > 1 ? new LastServerStore(join(configDir, 'last-servers.json')) : undefined;
  const remembered = profile ? await lastServers?.get(profile.id) : undefined;
  const servers = lastGoodFirst(serverList.servers, remembered);
  if (remembered && servers[0] !== serverList.servers[0])
    ctx.stderr(`causeway: starting with ${remembered.host}:${remembered.port}, the server that connected last time\n`);

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
    emit({
      event: 'disconnected',
      reason: {
        phase: 'tcp',
        code: 'cancelled',
        message: `The privileged helper could not start (${why}). Run as root, or install Causeway so polkit can start its helper.`,
      },
    });
    await stopExtras();
    return EXIT.failure;
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
      routing,
      dns,
      serverAddress,
      serverAddresses: protectedAddresses,
      reconnect,
      ...(profile?.mtu ? { mtu: profile.mtu } : {}),
      ...(mssClamp.value !== undefined
        ? { mssClamp: mssClamp.value }
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
        sstpTimers: { helloIntervalMs: keepalive * 1000 },
        lcpEchoIntervalMs: keepalive * 1000,
        ...(tap ? { tap } : {}),
      },
      log,
    },
  );
  tunnel.onState((s) => emit(markBlocked(connectEvent(s), killSwitch.mode !== 'off')));
  // Awaited before exit, so a connect stopped right after it came up still remembers its server.
  let remembering: Promise<unknown> = Promise.resolve();
  tunnel.onState((s) => {
    if (s.state !== 'connected' || !profile || !lastServers || !s.info.server) return;
    remembering = lastServers.set(profile.id, { host: s.info.server.host, port: s.info.server.port }).then((r) => {
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
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    void tunnel.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `causeway status` / `disconnect` in another terminal reach this tunnel through a control socket;
  // a disconnect from there is onSignal, the same clean stop as Ctrl-C.
  const registration = await registerTunnel({
    name: profile?.name ?? server,
    profileId: profile?.id ?? null,
    server: `${config.host}:${config.port}`,
    tunnel,
    stop: onSignal,
    ...(killSwitch.mode === 'off' ? {} : { killSwitch: killSwitch.mode }),
    env: ctx.env,
  });
  if (!registration.ok)
    ctx.stderr(`causeway: warning: \`causeway status\` will not see this tunnel: ${registration.message}\n`);
  try {
    const first = await tunnel.start();
    if (!first.ok) return exitCodeFor(first.failure.code);
    const reason = await tunnel.done;
    if (interrupted || reason === null) return EXIT.ok;
    return exitCodeFor(reason.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
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
