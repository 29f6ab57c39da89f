// `causeway unblock`: lifts a kill-switch block that outlived its tunnel: an `always` run's, or one a
// killed `causeway connect` (or app) left. Starts the privileged helper, which takes the block over at
// start, and asks it to remove it (kill-switch-disarm: the user's decision, never implied by a crash).
// A running `causeway connect` keeps its own block: bring it down with `causeway disconnect` instead.
import type { Command } from 'commander';
import { HelperClient, HelperError } from '../../helper/client/client.js';
import { helperLaunch } from '../../helper/client/launch.js';
import type { LaunchSpec } from '../../helper/client/launch.js';
import type { CliContext } from '../context.js';
import { EXIT, LOCAL_EXIT_CODES_HELP } from '../exit-codes.js';
import { reply } from '../profiles/reply.js';

export function registerUnblockCommand(
  program: Command,
  ctx: CliContext,
  launch: () => LaunchSpec = helperLaunch,
): void {
  program
    .command('unblock')
    .description(
      'remove the kill switch block left after a tunnel went down (always mode, or a killed connect); needs root or polkit',
    )
    .option('--json', 'print JSON lines')
    .addHelpText('after', `\n${LOCAL_EXIT_CODES_HELP}\n`)
    .action(async (o: { json?: boolean }) => {
      const r = reply(ctx, o.json);
      let helper: HelperClient;
      try {
        helper = await HelperClient.start(launch());
      } catch (e) {
        const why = e instanceof HelperError ? `${e.code}: ${e.message}` : String(e);
        return r.fail(
          EXIT.failure,
          `the privileged helper could not start (${why}); run as root, or install Causeway so polkit can start it`,
        );
      }
      try {
        const removed = (await helper.killSwitchDisarm()).removed;
        r.data(
          { event: 'unblocked', removed },
          removed
            ? 'The kill switch block was removed: traffic flows again.\n'
            : 'No kill switch block was in place.\n',
        );
      } catch (e) {
        r.fail(EXIT.failure, `the block could not be removed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        await helper.close(5_000);
      }
    });
}
