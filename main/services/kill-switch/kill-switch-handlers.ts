// Preferences → kill switch over the app's channels: read and save <config>/kill-switch.json. The
// data plane reads the file at each connection, so a change applies from the next connection.
import type { Handlers } from '../../contract/handlers.js';
import { loadKillSwitchSetting, saveKillSwitchSetting } from './kill-switch-setting.js';

type KillSwitchHandlers = Pick<Handlers, 'settings.killSwitch' | 'settings.setKillSwitch'>;

const unavailable = {
  ok: false as const,
  error: { kind: 'unavailable' as const, message: 'The kill switch is not available here.' },
};

export function killSwitchHandlers(file: string | undefined): KillSwitchHandlers {
  return {
    'settings.killSwitch': async () => {
      if (file === undefined) return unavailable;
      const r = loadKillSwitchSetting(file);
      return { ok: true, setting: r.setting, warning: r.ok ? null : r.problem };
    },
    'settings.setKillSwitch': async ({ setting }) => {
      if (file === undefined) return unavailable;
      const r = await saveKillSwitchSetting(file, setting);
      return r.ok ? { ok: true, setting, warning: null } : { ok: false, error: { kind: 'save', message: r.message } };
    },
  };
}
