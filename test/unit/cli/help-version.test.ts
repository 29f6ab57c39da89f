// `causeway --version` and the exit codes at the end of every command's --help.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { main } from '../../../main/cli/index.js';
import { packageVersion } from '../../../main/cli/version.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

async function capture(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['node', 'causeway', ...args], {
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
  });
  return { code, out };
}

describe('version and help', () => {
  it("--version prints package.json's version", async () => {
    assert.equal(packageVersion(), pkg.version);
    assert.deepEqual(await capture(['--version']), { code: 0, out: `${pkg.version}\n` });
  });

  it("every command's --help ends with its exit codes", async () => {
    const top = await capture(['--help']);
    assert.match(top.out, /Exit codes:\n {2}0 {2}success/);
    const names = [
      'test',
      'connect',
      'status',
      'disconnect',
      'profiles list',
      'profiles show',
      'profiles add',
      'profiles edit',
      'profiles remove',
      'import',
      'export',
      'logs',
    ];
    for (const name of names) {
      const r = await capture([...name.split(' '), '--help']);
      assert.equal(r.code, 0, name);
      assert.match(r.out, /Exit codes:/, name);
      assert.equal(r.out.match(/Exit codes:/g)?.length, 1, `${name}: listed once`);
      if (name === 'test' || name === 'connect') {
        for (const c of [
          '3  network',
          '4  server certificate',
          '5  authentication',
          '6  protocol',
          '7  proxy',
          '2  usage',
        ])
          assert.ok(r.out.includes(c), `${name}: ${c}`);
      }
    }
  });
});
