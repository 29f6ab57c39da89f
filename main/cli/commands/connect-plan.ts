// What one `causeway connect` session will do, decided before anything is started: the target
// (profile or host), its routes, DNS, reconnect policy, kill switch, keepalive and one-time codes.
// Flags win over the profile, the profile over defaults. Apart from the run (connect-session.ts) so
// `causeway connect A B C` can decide every session, and refuse what cannot work together, before
// any helper starts.
import type { Readable } from 'node:stream';
import type { OtpMode } from '../../engine/config.js';
import type { RoutingMode } from '../../engine/datapath/net-configurator.js';
import type { Profile } from '../../contract/profile.js';
import type { KillSwitchSetting } from '../../contract/kill-switch.js';
import { killSwitchFile, loadKillSwitchSetting } from '../../services/kill-switch/kill-switch-setting.js';
import { resolvePaths } from '../../services/paths.js';
import type { CliContext } from '../context.js';
import type { DiagnosticsCliOptions } from '../diagnostics-options.js';
import { EXIT } from '../exit-codes.js';
import { chooseKillSwitch, type KillSwitchCliOptions } from '../kill-switch-option.js';
import type { MetricsCliOptions } from '../metrics-options.js';
import { parseMssClamp } from '../mss-clamp-option.js';
import { otpMode } from '../one-time-code.js';
import { parseKeepalive, type ConnectOptions } from '../options.js';
import { exitCodeForTargetError, resolveConnectTarget, type ConnectTarget } from '../profiles/target.js';
import type { SecretAndOutputOptions } from './test.js';

export interface ConnectCliOptions
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

export interface SessionPlan {
  /** The argument as given (profile name or id, or host[:port]): what labels this session's output. */
  readonly arg: string;
  readonly target: ConnectTarget;
  readonly profile: Profile | undefined;
  readonly configDir: string;
  readonly routing: RoutingMode;
  readonly dns: boolean;
  readonly reconnect: { readonly enabled: boolean; readonly maxAttempts?: number };
  readonly killSwitch: KillSwitchSetting;
  readonly keepaliveSeconds: number;
  readonly mssClamp: number | 'mtu' | undefined;
  readonly otp: OtpMode | undefined;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: SessionPlan }
  | { readonly ok: false; readonly message: string; readonly code: number };

/** Warnings (a damaged Preferences file, profiles unreadable) go to ctx.stderr as they are found. */
export async function planSession(
  arg: string,
  o: ConnectCliOptions,
  ctx: CliContext,
  stdin: Readable = ctx.stdin,
): Promise<PlanResult> {
  const refuse = (message: string, code: number = EXIT.usage): PlanResult => ({ ok: false, message, code });
  const resolved = await resolveConnectTarget(arg, o, { stdin, env: ctx.env });
  if (!resolved.ok) return refuse(resolved.error.message, exitCodeForTargetError(resolved.error));
  const t = resolved.target;
  if (t.kind === 'address' && t.warning) ctx.stderr(`causeway: warning: ${t.warning}\n`);
  const profile = t.kind === 'profile' ? t.profile : undefined;
  const keepalive = parseKeepalive(o.keepalive);
  if (!keepalive.ok) return refuse(keepalive.error);
  const keepaliveSeconds = keepalive.value;
  const mssClamp = parseMssClamp(o.mssClamp);
  if (!mssClamp.ok) return refuse(mssClamp.error);
  const configDir = t.kind === 'profile' ? t.services.paths.configDir : resolvePaths({ env: ctx.env }).configDir;
  const killSwitch = chooseKillSwitch(o, profile?.killSwitch, loadKillSwitchSetting(killSwitchFile(configDir)));
  if (!killSwitch.ok) return refuse(killSwitch.error);
  if (killSwitch.warning) ctx.stderr(`causeway: warning: ${killSwitch.warning}\n`);
  const routes = o.route ?? [];
  const routing: RoutingMode =
    o.defaultRoute === false
      ? { mode: 'split', routes }
      : routes.length > 0 || !profile
        ? { mode: 'full' }
        : profile.routing.mode === 'split'
          ? { mode: 'split', routes: profile.routing.routes }
          : { mode: 'full' };
  const reconnect =
    o.reconnect === false
      ? { enabled: false }
      : profile
        ? { enabled: profile.reconnect.enabled, maxAttempts: profile.reconnect.maxAttempts }
        : { enabled: true };
  const otp = otpMode(o, profile);
  if (!otp.ok) return refuse(otp.error);
  return {
    ok: true,
    plan: {
      arg,
      target: t,
      profile,
      configDir,
      routing,
      dns: o.dns === false ? false : (profile?.dns ?? true),
      reconnect,
      killSwitch: killSwitch.setting,
      keepaliveSeconds,
      mssClamp: mssClamp.value,
      otp: otp.value,
    },
  };
}
