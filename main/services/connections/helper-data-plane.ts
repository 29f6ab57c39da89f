// The system data plane for the app: one privileged helper per tunnel (started directly when we are
// root, else through polkit's pkexec), which creates the TUN for our uid, hands us its descriptor
// and sets its address, routes and DNS. Closing the helper undoes all of it, and the helper does so by itself if we die.
import { existsSync } from 'node:fs';
import { failure, type SessionFailure } from '../../engine/failure.js';
import { resolveServerAddress } from '../../engine/transport/resolve-server.js';
import { readLanGateways } from '../../engine/transport/lan-gateways.js';
import { HelperClient, HelperError } from '../../helper/client/client.js';
import { helperLaunch, type HelperLaunchOptions } from '../../helper/client/launch.js';
import { HelperNetConfigurator } from '../../helper/client/helper-net-configurator.js';
import type { DataPlaneProvider, SystemPlaneLease } from './ports.js';
import { KILL_SWITCH_OFF, type KillSwitchSetting } from '../../contract/kill-switch.js';
import { appKillSwitch } from '../kill-switch/app-kill-switch.js';
import { killSwitchEndpoints } from '../kill-switch/endpoints.js';
import { resolveServerList } from '../../engine/server-list.js';

export interface HelperDataPlaneOptions {
  readonly launch?: HelperLaunchOptions;
  /** How long to wait for the helper to answer, polkit password included. */
  readonly startTimeoutMs?: number;
  /** Preferences' kill switch, read at each connection (a profile's own killSwitch wins). Default off. */
  readonly killSwitch?: () => KillSwitchSetting;
}

export function helperDataPlane(options: HelperDataPlaneOptions = {}): DataPlaneProvider {
  return {
    killSwitchOn: (profile) => (profile.killSwitch ?? options.killSwitch?.() ?? KILL_SWITCH_OFF).mode !== 'off',
    async acquire({ profile, config, log }) {
      const server = await resolveServerAddress(config);
      if (!server.ok) return server;
      const note = (message: string, level: 'debug' | 'info' | 'warn' = 'debug') =>
        log({ time: Date.now(), level, phase: 'tcp', message });
      let helper: HelperClient;
      try {
        const spec = helperLaunch(options.launch);
        // pkexec answers a missing program like a refusal: say what is really wrong.
        const target = spec.args[0];
        if (spec.viaPolkit && target !== undefined && !existsSync(target)) {
          return {
            ok: false,
            failure: failure(
              'tcp',
              'data-path-failed',
              `The privileged helper is not installed (${target}). Install the Causeway package, or run as root.`,
            ),
          };
        }
        note('starting the privileged helper (polkit may ask for a password)', 'info');
        helper = await HelperClient.start(spec, {
          onLog: (line) => note(`helper: ${line}`),
          ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
        });
      } catch (e) {
        return { ok: false, failure: helperFailure(e) };
      }
      // Before anything is dialled; a switch that cannot be set up is a failure, not a silent leak.
      const setting = profile.killSwitch ?? options.killSwitch?.() ?? KILL_SWITCH_OFF;
      // The alternates too: failover to one of them must not be blocked (resolved only when needed).
      const alternates = setting.mode !== 'off' && profile.alternateServers?.length ? profile.alternateServers : [];
      const list = await resolveServerList(config, alternates);
      const port = (config.proxy ?? config).port;
      const killSwitch = appKillSwitch(helper, setting, killSwitchEndpoints(server.addresses, list.servers, port));
      const armed = await killSwitch.start();
      if (!armed.ok) {
        await helper.close(5_000);
        return { ok: false, failure: failure('tcp', 'data-path-failed', armed.message) };
      }
      const net = new HelperNetConfigurator(helper, process.getuid?.() ?? 0, {
        ...(profile.dnsSearchDomains ? { searchDomains: profile.dnsSearchDomains } : {}),
      });
      const plane: SystemPlaneLease = {
        net,
        openTun: (name) => net.openTun(name),
        serverAddress: server.address,
        serverAddresses: server.addresses,
        lanGateways: await readLanGateways(),
        ...(killSwitch.mode === 'off' ? {} : { killSwitch: killSwitch.mode }),
        release: async () => {
          // The tunnel is down for good (disconnect, or given up): an `on` switch lifts, `always` stays.
          const problem = await killSwitch.end();
          if (problem) note(problem, 'warn');
          await helper.close(5_000);
        },
      };
      return { ok: true, plane };
    },
  };
}

function helperFailure(e: unknown): SessionFailure {
  if (e instanceof HelperError && e.code === 'not-authorized') {
    return failure(
      'tcp',
      'cancelled',
      'Causeway needs administrator permission to set up the tunnel interface, routes and DNS, and it was not given.',
    );
  }
  const why = e instanceof HelperError ? `${e.code}: ${e.message}` : String(e);
  return failure(
    'tcp',
    'data-path-failed',
    `The privileged helper could not start (${why}). Install Causeway so polkit can start its helper, or run it as root.`,
    { detail: why },
  );
}
