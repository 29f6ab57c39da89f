// `causeway connect --kill-switch on|always|off [--kill-switch-lan]`: which kill switch a run uses,
// what it lets through, and the helper calls at start and at a clean end. The helper keeps the block
// through everything but an explicit disarm (main/helper/root/kill-switch.ts), so: a clean end of an `on`
// run disarms; an `always` run never does ("block when disconnected"); a killed run cannot, and the
// block stays until `causeway unblock` or the next run decides.
import type { Command } from 'commander';
import { KILL_SWITCH_MODES, type KillSwitchMode, type KillSwitchSetting } from '../contract/kill-switch.js';
import type { HelperClient } from '../helper/client/client.js';
import type { KillSwitchLoad } from '../services/kill-switch/kill-switch-setting.js';

export interface KillSwitchCliOptions {
  killSwitch?: string;
  killSwitchLan?: boolean;
}

export const KILL_SWITCH_HELP =
  "block all traffic outside the tunnel: on (while connecting, connected and reconnecting; a disconnect lifts it), always (also after the tunnel goes down, until `causeway unblock`), off; default: the profile's, else Preferences' (kill-switch.json), else off";

export function addKillSwitchOptions(command: Command): Command {
  return command
    .option('--kill-switch <mode>', KILL_SWITCH_HELP)
    .option('--kill-switch-lan', 'with the kill switch: let the local network through (RFC 1918, link-local, ULA)');
}

export type KillSwitchChoice =
  | { readonly ok: true; readonly setting: KillSwitchSetting; readonly warning?: string }
  | { readonly ok: false; readonly error: string };

/** The flag wins over the profile, the profile over the app-wide setting. */
export function chooseKillSwitch(
  o: KillSwitchCliOptions,
  profile: KillSwitchSetting | undefined,
  global: KillSwitchLoad,
): KillSwitchChoice {
  let mode: KillSwitchMode;
  let allowLan: boolean | undefined;
  if (o.killSwitch !== undefined) {
    const m = KILL_SWITCH_MODES.find((k) => k === o.killSwitch);
    if (m === undefined) return { ok: false, error: '--kill-switch must be on, always or off' };
    mode = m;
  } else if (profile !== undefined) {
    mode = profile.mode;
    allowLan = profile.allowLan;
  } else {
    mode = global.setting.mode;
    allowLan = global.setting.allowLan;
  }
  if (o.killSwitchLan === true) {
    if (mode === 'off')
      return { ok: false, error: '--kill-switch-lan needs the kill switch on (--kill-switch on|always)' };
    allowLan = true;
  }
  const setting: KillSwitchSetting = { mode, ...(allowLan === true ? { allowLan } : {}) };
  // A damaged Preferences file matters only when it is what decided.
  const decidedByFile = o.killSwitch === undefined && profile === undefined;
  return decidedByFile && !global.ok ? { ok: true, setting, warning: global.problem } : { ok: true, setting };
}

export { killSwitchEndpoints } from '../services/kill-switch/endpoints.js';

export type KillSwitchEvent = { event: 'kill-switch'; state: 'armed' | 'removed' | 'kept'; mode?: KillSwitchMode };

/** Right after the helper starts, before anything is dialled. */
export async function startKillSwitch(
  helper: HelperClient,
  setting: KillSwitchSetting,
  endpoints: readonly { address: string; port: number }[],
  emit: (e: KillSwitchEvent) => void,
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (setting.mode === 'off') {
    // Off means off: a block a killed earlier run left (adopted by this helper) goes too. A helper that
    // cannot do it (an older one, no nftables) has no block to lift: that never stops a connection.
    const r = await helper.killSwitchDisarm().catch(() => ({ removed: false }));
    if (r.removed) emit({ event: 'kill-switch', state: 'removed' });
    return { ok: true };
  }
  try {
    await helper.killSwitchArm({ endpoints: [...endpoints], ...(setting.allowLan ? { allowLan: true } : {}) });
    emit({ event: 'kill-switch', state: 'armed', mode: setting.mode });
    return { ok: true };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      message: `The kill switch could not be set up (${why}); nothing was connected. Install nftables, or connect with --kill-switch off.`,
    };
  }
}

/** At a clean end (Ctrl-C, SIGTERM, `causeway disconnect`, the tunnel giving up). */
export async function endKillSwitch(
  helper: HelperClient,
  setting: KillSwitchSetting,
  emit: (e: KillSwitchEvent) => void,
): Promise<string | undefined> {
  if (setting.mode === 'off') return undefined;
  if (setting.mode === 'always') {
    emit({ event: 'kill-switch', state: 'kept', mode: 'always' });
    return undefined;
  }
  try {
    await helper.killSwitchDisarm();
    emit({ event: 'kill-switch', state: 'removed' });
    return undefined;
  } catch (e) {
    return `the kill switch could not be removed (${e instanceof Error ? e.message : String(e)}): run \`causeway unblock\``;
  }
}

/** connecting/reconnecting/… events say the block is biting (the tunnel is not carrying traffic). */
export function markBlocked(e: Record<string, unknown>, armed: boolean): Record<string, unknown> {
  if (!armed || e['event'] === 'connected' || e['event'] === 'disconnected') return e;
  return { ...e, trafficBlocked: true };
}

/** Human text for the kill-switch events and the blocked suffix; undefined: not ours to describe. */
export function describeKillSwitch(e: Record<string, unknown>): string | undefined {
  if (e['event'] !== 'kill-switch') return undefined;
  switch (e['state']) {
    case 'armed':
      return e['mode'] === 'always'
        ? 'kill switch on (always): traffic outside the tunnel is blocked, also after disconnecting'
        : 'kill switch on: traffic outside the tunnel is blocked until you disconnect';
    case 'kept':
      return 'kill switch stays on (always): traffic stays blocked; `causeway unblock` lifts it';
    default:
      return 'kill switch off: traffic is no longer blocked';
  }
}

export const BLOCKED_SUFFIX = ' (traffic blocked by the kill switch)';
