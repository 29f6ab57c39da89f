// The compatibility report: no password, no user name unless asked, fingerprints kept, mode 0600,
// an existing link at the path is not followed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DoctorReport } from '../../../../main/contract/doctor.js';
import { redactReport, writeReportFile } from '../../../../main/services/doctor/report-file.js';

const FP = '96:47:0C:7A:14:B7:44:FB:7B:01:99:B6:D4:EF:AF:A0:A9:92:E1:F1:8D:DE:1D:C0:7E:0D:66:E1:02:1A:DF:3A';
const report = (): DoctorReport => ({
  format: 'causeway-doctor/1',
  server: 'vpn.example.test:443',
  startedAt: '2026-12-03T10:00:00.000Z',
  totalMs: 10,
  ok: false,
  phases: [
    {
      phase: 'auth',
      verdict: 'failed',
      ms: null,
      summary: 'rejected alice@HUB1',
      advice: { id: 'auth-credentials', meaning: 'm', action: 'a' },
    },
  ],
  failure: { phase: 'auth', code: 'auth-failed', message: 'The server rejected the user name or password.' },
  tls: { version: 'TLSv1.3', cipher: 'X', certificateSha256: FP, subject: 'CN=sstp.example.test' },
  quirks: [],
  trace: [
    { time: 1, level: 'debug', phase: 'auth', message: 'send [MSCHAPv2 Response id=0x2 name="alice@HUB1"]' },
    { time: 2, level: 'debug', phase: 'auth', message: 'send [PAP AuthReq user="alice" password=hunter2-secret]' },
  ],
});

test('redaction: secrets and the user name go, fingerprints stay', () => {
  const r = redactReport(report(), { username: 'alice@HUB1', secrets: ['hunter2-secret'] });
  const text = JSON.stringify(r);
  assert.ok(!text.includes('hunter2-secret'));
  assert.ok(!text.includes('alice'));
  assert.ok(text.includes(FP));
  assert.match(text, /name=\\"<user>\\"/);
  assert.equal(r.user, undefined);
});

test('with includeUser the name is kept (and stated), the password still not', () => {
  const r = redactReport(report(), { username: 'alice@HUB1', includeUser: true, secrets: ['hunter2-secret'] });
  const text = JSON.stringify(r);
  assert.ok(text.includes('alice@HUB1'));
  assert.equal(r.user, 'alice@HUB1');
  assert.ok(!text.includes('hunter2-secret'));
});

test('DOMAIN\\user: the account part alone is redacted too', () => {
  const base = report();
  const r = redactReport(
    { ...base, trace: [{ time: 1, level: 'debug', phase: 'auth', message: 'name="CORP\\bob" then bob' }] },
    { username: 'CORP\\bob', secrets: [] },
  );
  assert.ok(!JSON.stringify(r).includes('bob'));
});

test('the file is 0600, text summary on top and the JSON report after; a symlink at the path is replaced, not followed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-doctor-'));
  try {
    const path = join(dir, 'report.txt');
    const w = writeReportFile(path, redactReport(report(), { username: 'alice@HUB1', secrets: ['hunter2-secret'] }));
    assert.ok(w.ok);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^# FAILED {2}vpn\.example\.test:443/);
    const json = JSON.parse(text.slice(text.indexOf('\n{') + 1)) as DoctorReport;
    assert.equal(json.failure?.code, 'auth-failed');
    assert.ok(!text.includes('hunter2-secret') && !text.includes('alice'));

    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    const link = join(dir, 'link.txt');
    symlinkSync(victim, link);
    assert.ok(writeReportFile(link, report()).ok);
    assert.equal(readFileSync(victim, 'utf8'), 'keep');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable place: a typed failure saying what to do', () => {
  const w = writeReportFile('/proc/no-such-dir/report.txt', report());
  assert.equal(w.ok, false);
  assert.match(w.ok ? '' : w.message, /Choose a folder/);
});

test('a one-letter user name or password does not eat letters out of the text; quoted it is still replaced', () => {
  const base = report();
  const r = redactReport(
    {
      ...base,
      trace: [
        {
          time: 1,
          level: 'debug',
          phase: 'auth',
          message: 'send [MSCHAPv2 Response id=0x2 name="u"] refused the connection x',
        },
      ],
    },
    { username: 'u', secrets: ['x'] },
  );
  const m = r.trace[0]?.message ?? '';
  assert.match(m, /name="<user>"/);
  assert.match(m, /refused the connection x$/);
});
