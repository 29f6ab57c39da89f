// A killed helper's journal is undone by the next one, within the same network namespace only.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanupLeftovers } from '../../../main/helper/root/leftovers.js';
import {
  currentNamespaces,
  fileStateStore,
  findLeftovers,
  isRunning,
  processStartTime,
} from '../../../main/helper/root/state-store.js';
import type { UndoStep } from '../../../main/helper/root/undo-step.js';
import { fakeSystem } from './fake-system.js';

const uid = process.getuid?.() ?? 0;
const steps: UndoStep[] = [
  { kind: 'delete-link', group: 'tun', name: 'causeway0' },
  { kind: 'delete-address', group: 'address', name: 'causeway0', cidr: '10.0.0.2/32', peer: '10.0.0.1/32' },
  { kind: 'delete-route', group: 'routes', destination: '198.51.100.7/32', dev: 'eth0', gateway: '192.0.2.1' },
  { kind: 'restore-resolv-conf', group: 'dns', original: 'nameserver 192.0.2.53\n', written: 'nameserver 10.0.0.53\n' },
];

function state(pid: number, overrides: Record<string, unknown> = {}) {
  return JSON.stringify({ version: 1, pid, startTime: '1', namespaces: currentNamespaces(), steps, ...overrides });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cwt-helper-state-'));
}

test('leftovers of a dead helper are undone newest first, then the file goes', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, '999999.json');
    writeFileSync(path, state(999999), { mode: 0o600 });
    const system = fakeSystem();
    system.resolvConf = 'nameserver 10.0.0.53\n';
    const undone = await cleanupLeftovers(system, () => {}, dir, uid);
    assert.equal(undone, 4);
    assert.deepEqual(system.calls, [
      ['ip', 'route', 'del', '198.51.100.7/32', 'via', '192.0.2.1', 'dev', 'eth0'],
      ['ip', 'addr', 'del', '10.0.0.2/32', 'peer', '10.0.0.1/32', 'dev', 'causeway0'],
      ['ip', '-j', '-d', 'link', 'show', 'dev', 'causeway0'],
      ['ip', 'link', 'delete', 'dev', 'causeway0'],
    ]);
    assert.equal(system.resolvConf, 'nameserver 192.0.2.53\n');
    assert.equal(existsSync(path), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files of live helpers, other namespaces, wrong modes or bad contents are left alone', async () => {
  const dir = tempDir();
  try {
    const live = process.ppid;
    writeFileSync(join(dir, `${live}.json`), state(live, { startTime: processStartTime(live) }), { mode: 0o600 });
    writeFileSync(join(dir, '999998.json'), state(999998, { namespaces: { net: 'net:[1]', mnt: 'mnt:[1]' } }), {
      mode: 0o600,
    });
    writeFileSync(join(dir, '999997.json'), state(999997), { mode: 0o600 });
    chmodSync(join(dir, '999997.json'), 0o666);
    writeFileSync(
      join(dir, '999996.json'),
      state(999996, { steps: [{ kind: 'delete-link', group: 'tun', name: 'eth0;reboot' }] }),
      { mode: 0o600 },
    );
    writeFileSync(join(dir, '999995.json'), state(999995, { steps: [{ kind: 'run', group: 'tun', command: 'sh' }] }), {
      mode: 0o600,
    });
    writeFileSync(join(dir, 'notes.txt'), 'x', { mode: 0o600 });
    assert.deepEqual(findLeftovers(dir, currentNamespaces(), uid), []);
    const system = fakeSystem();
    await cleanupLeftovers(system, () => {}, dir, uid);
    assert.deepEqual(system.calls, []);
    assert.equal(existsSync(join(dir, '999998.json')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resolv.conf steps from another mount namespace are skipped', async () => {
  const dir = tempDir();
  try {
    const here = currentNamespaces();
    writeFileSync(join(dir, '999999.json'), state(999999, { namespaces: { net: here.net, mnt: 'mnt:[1]' } }), {
      mode: 0o600,
    });
    const system = fakeSystem();
    system.resolvConf = 'nameserver 10.0.0.53\n';
    await cleanupLeftovers(system, () => {}, dir, uid);
    assert.equal(system.resolvConf, 'nameserver 10.0.0.53\n');
    assert.equal(system.calls.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the file store writes atomically and round-trips through findLeftovers', () => {
  const dir = tempDir();
  try {
    const store = fileStateStore(dir);
    store.save(steps);
    // Our own file is never a leftover while we run.
    assert.deepEqual(findLeftovers(dir, currentNamespaces(), uid), []);
    store.save([]);
    assert.equal(existsSync(join(dir, `${process.pid}.json`)), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a killed helper that is still a zombie (not yet reaped) counts as gone', async () => {
  // `sleep 0` exits at once and its parent, the exec'd `sleep 30`, never reaps it: a real zombie.
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const parent = spawn('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const pid = Number(await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString()))));
    const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    while (state() !== 'Z') await new Promise((r) => setImmediate(r));
    const start = processStartTime(pid) ?? '';
    assert.notEqual(start, '', 'a zombie still has its start time');
    assert.equal(isRunning(pid, start), false);
    assert.equal(isRunning(process.pid, processStartTime(process.pid) ?? ''), true);
    assert.equal(isRunning(pid, `${start}1`), false);
  } finally {
    parent.kill('SIGKILL');
  }
});
