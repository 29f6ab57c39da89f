// `causeway connect <target...>`: real tunnels (TUN device, routes, DNS through the privileged helper)
// that stay up, reconnecting after drops, until SIGINT/SIGTERM; then everything is undone. This file
// declares the command; connect-plan.ts decides a session, connect-session.ts runs it, and
// connect-many.ts runs several side by side.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addDiagnosticsOptions } from '../diagnostics-options.js';
import { MSS_CLAMP_HELP } from '../mss-clamp-option.js';
import { addMetricsOptions } from '../metrics-options.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { addKillSwitchOptions } from '../kill-switch-option.js';
import { addConnectionOptions } from './test.js';
import { planSession, type ConnectCliOptions } from './connect-plan.js';
import { runSession, sessionEmitter } from './connect-session.js';
import { runConnectMany } from './connect-many.js';
import { StopGroup, withSignals } from './connect-stops.js';

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
            '<targets...>',
            'a saved profile (name or id; routes, DNS and reconnect come from it), or host or host:port; several: one tunnel each, side by side',
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
    .option(
      '--keepalive <seconds>',
      'dead-peer detection interval, a whole number of seconds from 1 to 3600 (a silent server is declared dead within two)',
      '20',
    )
    .option('--interface <name>', 'name for the TUN device (default: causeway0, causeway1, …)')
    .option('--mss-clamp <mss>', MSS_CLAMP_HELP);
  addKillSwitchOptions(command)
    .addHelpText(
      'after',
      `\n${EXIT_CODES_HELP}\nAfter the tunnel is up, SIGINT/SIGTERM disconnect cleanly and exit 0.\n` +
        `\nSeveral targets (causeway connect A B C): each its own TUN, routes and helper; flags apply to all.\n` +
        `At most one full tunnel, no route in two sessions, no kill switch, no --interface, --metrics,\n` +
        `--capture, --keylog or one-time codes. One session failing leaves the others up; SIGINT/SIGTERM\n` +
        `stops all; the exit code is the first failed session's (in the order given), 0 when none failed.\n`,
    )
    .action(async (targets: string[], o: ConnectCliOptions) =>
      ctx.setExitCode(
        targets.length === 1 ? await runConnect(targets[0] ?? '', o, ctx) : await runConnectMany(targets, o, ctx),
      ),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runConnect(server: string, o: ConnectCliOptions, ctx: CliContext): Promise<number> {
  const planned = await planSession(server, o, ctx);
  if (!planned.ok) {
    if (o.json) sessionEmitter(o, ctx, undefined)({ event: 'error', message: planned.message });
    else ctx.stderr(`causeway: ${planned.message}\n`);
    return planned.code;
  }
  const group = new StopGroup();
  const end = await withSignals(group, () => runSession(planned.plan, o, ctx, group.member()));
  return end.code;
}
