// What the `profiles add|edit` flag tests share: a flag set applied to a draft, and what commander
// hands the action for a command line.
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addProfileFlags, parseProfileFlags, type ProfileFlagOptions } from '../../../main/cli/profiles/flags.js';
import type { ProfileDraft } from '../../../main/contract/profile.js';

/** The draft these flags make of `from`; fails the test when the flags are refused. */
export function applyFlags(o: ProfileFlagOptions, from: ProfileDraft): ProfileDraft {
  const r = parseProfileFlags(o);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value.apply(from);
}

/** What commander gives the action for these arguments. */
export function commanderOptions(mode: 'add' | 'edit', args: string[]): ProfileFlagOptions {
  let got: ProfileFlagOptions | undefined;
  const program = new Command('causeway').exitOverride();
  addProfileFlags(program.command(mode).argument('<name>'), mode).action(
    (_n: string, o: ProfileFlagOptions) => void (got = o),
  );
  program.parse(['node', 'causeway', mode, 'X', ...args]);
  assert.ok(got);
  return got;
}
