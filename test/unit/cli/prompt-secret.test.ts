// The no-echo password prompt against a fake terminal: what is typed is never written back, raw mode
// is switched on for the prompt and back off on every way out.
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { promptSecret } from '../../../main/cli/prompt-secret.js';
import { readSecretInput } from '../../../main/cli/read-secret.js';

class FakeTty extends PassThrough {
  readonly isTTY = true;
  isRaw = false;
  readonly modes: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.modes.push(mode);
    return this;
  }
}

async function typed(keys: (string | Buffer)[], opts: { end?: boolean } = {}) {
  const tty = new FakeTty();
  let written = '';
  const p = promptSecret(tty, (t) => void (written += t), 'Password: ');
  for (const k of keys) tty.write(k);
  if (opts.end) tty.end();
  const result = await p;
  return { result, written, tty };
}

describe('promptSecret', () => {
  it('returns what was typed up to Enter, writes only the prompt and a newline, and restores the mode', async () => {
    const { result, written, tty } = await typed(['s3', 'cr', 'ét\r']);
    assert.deepEqual(result, { ok: true, value: 's3crét' });
    assert.equal(written, 'Password: \n');
    assert.deepEqual(tty.modes, [true, false]);
    assert.equal(tty.isRaw, false);
  });

  it('handles backspace, Ctrl-U and escape sequences (arrow keys)', async () => {
    const { result } = await typed(['abc\x7f\x7fX', '\x15pw\x1b[D\x1b[3~1', '\n']);
    assert.deepEqual(result, { ok: true, value: 'pw1' });
  });

  it('decodes a multi-byte character split across reads', async () => {
    const bytes = Buffer.from('é\r');
    const { result } = await typed([bytes.subarray(0, 1), bytes.subarray(1)]);
    assert.deepEqual(result, { ok: true, value: 'é' });
  });

  it('Ctrl-C cancels, Ctrl-D on an empty line is end of input, Ctrl-D after text submits; each restores the mode', async () => {
    for (const [keys, expected] of [
      [['pa\x03ss'], { ok: false, reason: 'cancelled' }],
      [['\x04'], { ok: false, reason: 'end-of-input' }],
      [['pw\x04'], { ok: true, value: 'pw' }],
    ] as const) {
      const { result, tty, written } = await typed([...keys]);
      assert.deepEqual(result, expected);
      assert.deepEqual(tty.modes, [true, false]);
      assert.ok(!written.includes('pa') && !written.includes('pw'));
    }
  });

  it('the stream ending mid-prompt is end of input, with the mode restored', async () => {
    const { result, tty } = await typed(['half'], { end: true });
    assert.deepEqual(result, { ok: false, reason: 'end-of-input' });
    assert.equal(tty.isRaw, false);
  });

  it('keeps a terminal that was already raw raw', async () => {
    const tty = new FakeTty();
    tty.isRaw = true;
    const p = promptSecret(tty, () => {}, '> ');
    tty.write('x\r');
    assert.deepEqual(await p, { ok: true, value: 'x' });
    assert.deepEqual(tty.modes, [true, true]);
  });

  it('refuses an over-long password', async () => {
    const { result, tty } = await typed(['x'.repeat(5000)]);
    assert.deepEqual(result, { ok: false, reason: 'too-long' });
    assert.equal(tty.isRaw, false);
  });

  it('is not used on a pipe: readSecretInput reads the pipe to its end instead', async () => {
    assert.deepEqual(await promptSecret(Readable.from(['pw\n']), () => {}, '> '), {
      ok: false,
      reason: 'not-a-terminal',
    });
    let written = '';
    assert.deepEqual(await readSecretInput(Readable.from(['pw\n']), '> ', (t) => void (written += t)), {
      ok: true,
      value: 'pw',
    });
    assert.equal(written, '', 'no prompt for a pipe');
    const tty = new FakeTty();
    const p = readSecretInput(tty, 'Password: ', (t) => void (written += t));
    tty.write('typed\r');
    assert.deepEqual(await p, { ok: true, value: 'typed' });
    assert.equal(written, 'Password: \n');
  });
});
