import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logicalLines, splitWords } from '../../../../main/services/import/shell-words.js';
import { importSstpc } from '../../../../main/services/import/sstpc.js';
import {
  assertSecretsOutsideDrafts,
  assertWellFormedWarnings,
  byName,
  expectError,
  expectOk,
  fixture,
} from './helpers.js';

const sh = (text: string): Buffer => Buffer.from(text, 'utf8');
const words = (text: string): string[] => {
  const r = splitWords(1, text);
  if (!r.ok) assert.fail(r.reason);
  return r.command.words.map((w) => w.text);
};

describe('shell word splitting', () => {
  it('handles single quotes, double quotes, backslashes and trailing comments', () => {
    assert.deepEqual(words(`sstpc --user 'CORP\\bob' --password "a \\"b\\" c" h\\ x # comment`), [
      'sstpc',
      '--user',
      'CORP\\bob',
      '--password',
      'a "b" c',
      'h x',
    ]);
  });

  it('marks words with expansions and stops at shell operators', () => {
    const r = splitWords(3, 'sstpc --password "$PW" host; rm -rf /');
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(
      r.command.words.map((w) => [w.text, w.expands]),
      [
        ['sstpc', false],
        ['--password', false],
        ['$PW', true],
        ['host', false],
      ],
    );
    assert.equal(r.command.truncated, true);
  });

  it('reports unclosed quotes', () => {
    assert.deepEqual(splitWords(7, 'sstpc "open'), { ok: false, line: 7, reason: 'unclosed double quote' });
  });

  it('joins backslash-newline continuations and drops comments, keeping the first line number', () => {
    assert.deepEqual(logicalLines(['# c \\', 'sstpc \\', '  host', '', 'x']), [
      { line: 2, text: 'sstpc   host' },
      { line: 5, text: 'x' },
    ]);
  });
});

describe('importSstpc: a script of command lines', () => {
  const r = expectOk(importSstpc('sstpc-commands.sh', fixture('sstpc-commands.sh')));

  it('imports each sstpc invocation, including one inside pppd pty "…"', () => {
    assert.equal(r.format, 'sstpc');
    assert.deepEqual(
      r.profiles.map((p) => [p.draft.name, p.source.line]),
      [
        ['vpn.example.com', 6],
        ['lab.example.org', 10],
        ['198.51.100.20', 13],
        ['sstp.example.test', 16],
      ],
    );
    assertWellFormedWarnings(r, 'sstpc-commands.sh');
  });

  it('maps sstpc options and pppd options', () => {
    const office = byName(r, 'vpn.example.com');
    assert.equal(office.draft.username, 'CORP\\alice');
    assert.deepEqual(office.draft.authMethods, ['mschapv2']);
    assert.equal(office.draft.dns, true);
    assert.deepEqual(office.draft.reconnect, { enabled: false });
    assert.deepEqual(office.secrets, { password: 's3cret pass' });

    const lab = byName(r, 'lab.example.org');
    assert.deepEqual(lab.draft.server, { host: 'lab.example.org', port: 8443 });
    assert.equal(lab.draft.tls?.caFile, '/etc/ssl/lab-ca.pem');
    assert.deepEqual(lab.draft.proxy, { host: 'proxy.lab.example', port: 3128, username: 'bob' });
    assert.deepEqual(lab.secrets, { password: '$ecret', proxyPassword: 'pr@xy' });
    assert.deepEqual(lab.draft.authMethods, ['mschapv2', 'eap-mschapv2']);
    assert.equal(lab.draft.mtu, 1400);
    assert.equal(lab.draft.ipv6, true);
    assert.deepEqual(lab.draft.reconnect, { enabled: true, maxAttempts: 5 });

    const pty = byName(r, 'sstp.example.test');
    assert.deepEqual(pty.draft.server, { host: '10.200.0.1', port: 443 });
    assert.equal(pty.draft.tls?.sni, 'sstp.example.test');
    assert.equal(pty.draft.username, 'testuser');
    assert.deepEqual(pty.secrets, { password: 'testpass' });
  });

  it('never imports a password it cannot know, and keeps secrets out of drafts', () => {
    assert.deepEqual(byName(r, '198.51.100.20').secrets, {});
    assert.ok(r.warnings.some((w) => w.line === 13 && /password comes from the shell/.test(w.message)));
    assertSecretsOutsideDrafts(r);
  });

  it('says what it did with --cert-warn and require-*', () => {
    const texts = r.warnings
      .filter((w) => w.line === 6)
      .map((w) => w.message)
      .join('\n');
    assert.match(texts, /--cert-warn is not carried over; certificate checks stay on/);
    assert.match(texts, /require-mschap-v2 asks the server to authenticate itself/);
  });
});

describe('importSstpc: edge cases', () => {
  it('refuses a line with an option sstpc does not know, as sstpc would', () => {
    const e = expectError(importSstpc('x.sh', sh('sstpc --frobnicate 1 vpn.example.com\n')));
    assert.equal(e.code, 'no-profiles');
    if (e.code === 'no-profiles')
      assert.match(e.warnings[0]?.text ?? '', /^x\.sh:1: sstpc does not know the option "--frobnicate"/);
  });

  it('accepts options after the host (getopt permutes) and --opt=value', () => {
    const r = expectOk(importSstpc('x.sh', sh('/usr/sbin/sstpc vpn.example.com --user=u --password=p defaultroute\n')));
    assert.equal(r.profiles[0]?.draft.username, 'u');
    assert.deepEqual(r.profiles[0]?.secrets, { password: 'p' });
  });

  it('ignores shell noise but warns about what follows an operator', () => {
    const r = expectOk(importSstpc('x.sh', sh('sstpc --user u vpn.example.com defaultroute && echo ok\n')));
    assert.ok(r.warnings.some((w) => /shell operators/.test(w.message)));
  });

  it('finds nothing in a file without sstpc', () => {
    const e = expectError(importSstpc('x.sh', sh('echo hello\nls -l\n')));
    assert.equal(e.code, 'no-profiles');
  });
});

describe('importSstpc: secrets stay out of messages', () => {
  it('does not echo a password or proxy URL that uses shell syntax, nor a mistyped option value', () => {
    const r = importSstpc(
      'x.sh',
      sh(
        'sstpc --user u --password "pa$$word1" --proxy "http://u:S3cr\\$t@p.example:80" vpn.example.com defaultroute\nsstpc --passwrd=hunter2 vpn.example.com\n',
      ),
    );
    const ok = expectOk(r);
    const texts = ok.warnings.map((w) => w.text).join('\n');
    assert.doesNotMatch(texts, /pa\$\$word1|S3cr|hunter2/);
    assert.match(texts, /the password comes from the shell; not imported/);
    assert.match(texts, /"--passwrd"/);
  });
});
