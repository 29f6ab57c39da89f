// The kill switch as a profile and the app's Preferences store it. off: traffic may leave outside the
// tunnel whenever it is not up. on: everything but the tunnel (and the VPN server itself) is blocked
// while the VPN is wanted: connecting, connected, reconnecting; a disconnect lifts it. always: the
// same, and the block stays after the tunnel goes down ("block when disconnected").
import { z } from 'zod';

export const KILL_SWITCH_MODES = ['off', 'on', 'always'] as const;
export type KillSwitchMode = (typeof KILL_SWITCH_MODES)[number];

export const KillSwitchSettingSchema = z.strictObject({
  mode: z.enum(KILL_SWITCH_MODES, { error: 'must be "off", "on" or "always"' }),
  /** Let the local network (printers, NAS, casting) through while blocking. Absent: false. */
  allowLan: z.boolean().optional(),
});
export type KillSwitchSetting = z.output<typeof KillSwitchSettingSchema>;

export const KILL_SWITCH_OFF: KillSwitchSetting = { mode: 'off' };
