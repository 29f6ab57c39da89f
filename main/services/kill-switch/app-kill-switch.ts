// The kill switch for one app connection: armed when its helper starts, lifted when the connection is
// over for good in `on` mode, kept in `always` mode. If the app is killed nothing here runs: the
// helper keeps the block (main/helper/root/kill-switch.ts) until the next connection or `causeway unblock`.
import type { KillSwitchMode, KillSwitchSetting } from '../../contract/kill-switch.js';
import type { HelperClient } from '../../helper/client/client.js';
import type { KillSwitchTarget } from './endpoints.js';

export interface AppKillSwitch {
  readonly mode: KillSwitchMode;
  start(): Promise<{ ok: true } | { ok: false; message: string }>;
  /** A warning to log when the block could not be lifted; undefined when all went well. */
  end(): Promise<string | undefined>;
}

type KillSwitchHelper = Pick<HelperClient, 'killSwitchArm' | 'killSwitchDisarm'>;

export function appKillSwitch(
  helper: KillSwitchHelper,
  setting: KillSwitchSetting,
  endpoints: readonly KillSwitchTarget[],
): AppKillSwitch {
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  return {
    mode: setting.mode,
    async start() {
      // Off means off: a block a killed earlier run left is lifted too; a helper that cannot (no
      // nftables, an older helper) has none to lift, and that never stops a connection.
      if (setting.mode === 'off') {
        await helper.killSwitchDisarm().catch(() => undefined);
        return { ok: true };
      }
      try {
        await helper.killSwitchArm({
          endpoints: [...endpoints],
          ...(setting.allowLan ? { allowLan: true } : {}),
        });
        return { ok: true };
      } catch (e) {
        return {
          ok: false,
          message: `The kill switch could not be set up (${why(e)}), so nothing was connected. Install nftables, or turn the kill switch off for this profile.`,
        };
      }
    },
    async end() {
      if (setting.mode !== 'on') return undefined;
      try {
        await helper.killSwitchDisarm();
        return undefined;
      } catch (e) {
        return `the kill switch could not be lifted (${why(e)}); run \`causeway unblock\``;
      }
    },
  };
}
