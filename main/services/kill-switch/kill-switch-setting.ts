// The app-wide kill switch (Preferences), kept in <config>/kill-switch.json. A profile's own
// killSwitch field wins over it; `causeway connect --kill-switch` wins over both. A file that cannot
// be read or does not match means "off" plus a warning, like logging.json: a damaged settings file must
// never stop the app, and the warning says the switch is not in force.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KILL_SWITCH_OFF, KillSwitchSettingSchema, type KillSwitchSetting } from '../../contract/kill-switch.js';
import { writeFileAtomic } from '../profiles/atomic-write.js';

export const KILL_SWITCH_FILE = 'kill-switch.json';

const SettingFile = z.strictObject({ version: z.literal(1), killSwitch: KillSwitchSettingSchema });

export type KillSwitchLoad =
  | { readonly ok: true; readonly setting: KillSwitchSetting }
  | { readonly ok: false; readonly setting: KillSwitchSetting; readonly problem: string };

export function killSwitchFile(configDir: string): string {
  return join(configDir, KILL_SWITCH_FILE);
}

/** The saved setting; none saved yet is plain "off". */
export function loadKillSwitchSetting(file: string): KillSwitchLoad {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, setting: KILL_SWITCH_OFF };
    return fail(`${file} could not be read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(`${file} is not valid JSON`);
  }
  const parsed = SettingFile.safeParse(json);
  if (!parsed.success)
    return fail(
      `${file} is not a kill switch setting (expected {"version":1,"killSwitch":{"mode":"off"|"on"|"always"}})`,
    );
  return { ok: true, setting: parsed.data.killSwitch };
}

export async function saveKillSwitchSetting(
  file: string,
  setting: KillSwitchSetting,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const checked = KillSwitchSettingSchema.safeParse(setting);
  if (!checked.success) return { ok: false, message: 'not a kill switch setting' };
  try {
    await writeFileAtomic(file, JSON.stringify({ version: 1, killSwitch: checked.data }) + '\n');
    return { ok: true };
  } catch (e) {
    return { ok: false, message: `The setting could not be saved: ${(e as Error).message}` };
  }
}

function fail(problem: string): KillSwitchLoad {
  return {
    ok: false,
    setting: KILL_SWITCH_OFF,
    problem: `${problem}; the kill switch is off until it is saved again.`,
  };
}
