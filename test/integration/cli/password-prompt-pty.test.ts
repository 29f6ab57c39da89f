// The password prompt on a real terminal: the CLI runs under a pty (util-linux `script`), the test
// types the password after the prompt shows, and the terminal's transcript must not contain it. After
// the CLI exits, `stty -a` in the same terminal shows echo and canonical mode back on.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { CAUSEWAY_BIN } from '../../support/run-cli.js';

const skip =
  spawnSync('sh', ['-c', 'command -v script && command -v stty']).status === 0
    ? false
    : 'util-linux script / stty not installed';
const SECRET = 'Tr0ub4dor-PTY-s3cret';

interface PtyRun {
  readonly code: number | null;
  readonly transcript: string;
}

/** Runs `causeway ARGS; stty -a` in a fresh pty; types `keys` once `waitFor` appears. */
function underPty(
  args: string[],
  waitFor: RegExp,
  keys: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PtyRun> {
  const quoted = [process.execPath, CAUSEWAY_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // The CLI's status survives the stty that follows it.
  const command = `${quoted}; rc=$?; echo; echo "STTY: $(stty -a | tr '\\n' ' ')"; exit $rc`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let transcript = '';
    let typed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 30 s; transcript: ${JSON.stringify(transcript)}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      transcript += d.toString('utf8');
      if (!typed && waitFor.test(transcript)) {
        typed = true;
        child.stdin.write(keys);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, transcript });
    });
  });
}

function sttyOf(transcript: string): string {
  return /STTY: (.*)/.exec(transcript)?.[1] ?? '';
}

describe('password prompt on a terminal', { skip }, () => {
  it('--password-stdin on a TTY prompts without echo; the typed password never reaches the terminal', async () => {
    // Port 9 on loopback refuses: the password is taken, then the attempt fails as a network failure.
    const r = await underPty(
      ['test', '127.0.0.1:9', '--user', 'alice', '--password-stdin'],
      /Password for alice@127\.0\.0\.1:9: /,
      `${SECRET}\r`,
    );
    assert.ok(!r.transcript.includes(SECRET), `password echoed: ${JSON.stringify(r.transcript)}`);
    assert.ok(!r.transcript.includes(SECRET.slice(0, 6)), 'not even part of it');
    assert.equal(r.code, 3, r.transcript);
    assert.match(sttyOf(r.transcript), /(^|\s)echo\s/, 'echo back on');
    assert.match(sttyOf(r.transcript), /(^|\s)icanon\s/, 'canonical mode back on');
  });

  it('without --password-stdin and no password anywhere, a terminal is asked too', async () => {
    const r = await underPty(
      ['test', '127.0.0.1:9', '--user', 'alice'],
      /Password for alice@127\.0\.0\.1:9: /,
      `${SECRET}\r`,
    );
    assert.ok(!r.transcript.includes(SECRET), r.transcript);
    assert.equal(r.code, 3, r.transcript);
  });

  it('Ctrl-C at the prompt cancels (exit 1) and leaves the terminal as it was', async () => {
    const r = await underPty(
      ['test', '127.0.0.1:9', '--user', 'alice', '--password-stdin'],
      /Password for /,
      'half\x03',
    );
    assert.equal(r.code, 1, r.transcript);
    assert.match(r.transcript, /cancelled at the password prompt/);
    assert.ok(!r.transcript.includes('half'));
    assert.match(sttyOf(r.transcript), /(^|\s)echo\s/);
    assert.match(sttyOf(r.transcript), /(^|\s)icanon\s/);
  });

  it('Ctrl-D on an empty prompt is "no password" (usage, exit 2), terminal restored', async () => {
    const r = await underPty(['test', '127.0.0.1:9', '--user', 'alice', '--password-stdin'], /Password for /, '\x04');
    assert.equal(r.code, 2, r.transcript);
    assert.match(r.transcript, /no password was typed/);
    assert.match(sttyOf(r.transcript), /(^|\s)echo\s/);
  });
});
