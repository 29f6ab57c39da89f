// `causeway connect --keepalive SECONDS`: the flag goes through the one range-checked parser
// (cli/integer-option.ts) like --mtu and --auth-wait, so garbage ("5x", "-1", "1e2") is refused with
// the flag, the range and what was typed, before any helper starts — Number() alone took "1e2" and
// "1.5". Checked at planSession, the step `connect` runs first, with a real (empty) config dir.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { planSession, type ConnectCliOptions } from '../../../main/cli/commands/connect-plan.js';
import type { CliContext } from '../../../main/cli/context.js';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { parseKeepalive } from '../../../main/cli/options.js';

const home = mkdtempSync(join(tmpdir(), 'cw-keepalive-'));
after(() => rmSync(home, { recursive: true, force: true }));

function context(): { ctx: CliContext } {
  const ctx: CliContext = {
    stdout: () => undefined,
    stderr: () => undefined,
    stdin: Readable.from(['pw\n']),
    env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') },
    setExitCode: () => undefined,
  };
  return { ctx };
}

const base: ConnectCliOptions = { user: 'alice', passwordStdin: true, insecure: true };

describe('connect --keepalive', () => {
  const accepted: [string | undefined, number][] = [
    [undefined, 20],
    ['20', 20],
    ['1', 1],
    ['3600', 3600],
    [' 30 ', 30],
  ];
  for (const [text, want] of accepted)
    it(`takes ${text === undefined ? 'no flag (the default)' : `'${text}'`} as ${want} s`, async () => {
      assert.deepEqual(parseKeepalive(text), { ok: true, value: want });
      const { ctx } = context();
      const r = await planSession('vpn.example.test', { ...base, ...(text ? { keepalive: text } : {}) }, ctx);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.equal(r.plan.keepaliveSeconds, want);
    });

  const refused = ['5x', '-1', '0', '3601', '1.5', '1e2', '0x10', '', 'twenty'];
  for (const text of refused)
    it(`refuses '${text}' as a usage error that says what is allowed`, async () => {
      const error = `--keepalive must be a whole number of seconds from 1 to 3600, got '${text}'`;
      assert.deepEqual(parseKeepalive(text), { ok: false, error });
      const { ctx } = context();
      const r = await planSession('vpn.example.test', { ...base, keepalive: text }, ctx);
      assert.deepEqual(r, { ok: false, message: error, code: EXIT.usage });
    });
});
