// The sleep watcher's parser on gdbus monitor's own output (recorded from gdbus 2.74 against a
// private bus with a fake logind), and the watcher on a scripted child.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { parseSleepLine, watchSleep, type SleepEvent } from '../../../../main/services/system/sleep-watch.js';

const RECORDED = [
  'Monitoring signals on object /org/freedesktop/login1 owned by org.freedesktop.login1',
  'The name org.freedesktop.login1 is owned by :1.0',
  '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (true,)',
  '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (false,)',
];

/** A stand-in child: stdout the test writes to, exit the test triggers. */
function scriptedChild() {
  const stdout = new PassThrough();
  const child = Object.assign(new EventEmitter(), {
    stdout,
    exitCode: null as number | null,
    signalCode: null as string | null,
    killed: [] as string[],
    kill(sig: string) {
      this.killed.push(sig);
      return true;
    },
  });
  return child;
}

describe('parseSleepLine', () => {
  it('reads what gdbus monitor prints', () => {
    assert.deepEqual(RECORDED.map(parseSleepLine), [
      undefined,
      { type: 'watching' },
      { type: 'sleeping' },
      { type: 'resumed' },
    ]);
  });
  it('ignores other signals and look-alikes', () => {
    for (const line of [
      '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForShutdown (true,)',
      '/org/freedesktop/login1/session/_31: org.freedesktop.login1.Session.Lock ()',
      '/org/evil: org.freedesktop.login1.Manager.PrepareForSleep (false,)',
      'org.freedesktop.login1.Manager.PrepareForSleep (false,)',
      '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (maybe,)',
      '',
      '\u0000\u0001garbage',
    ])
      assert.equal(parseSleepLine(line), undefined, line);
  });
});

describe('watchSleep', () => {
  it('runs gdbus monitor on the system bus for logind, reports events across chunk boundaries, kills it on stop', () => {
    const child = scriptedChild();
    const calls: string[][] = [];
    const events: SleepEvent[] = [];
    const w = watchSleep((e) => events.push(e), {
      spawn: (file, args) => {
        calls.push([file, ...args]);
        return child as unknown as ChildProcess;
      },
    });
    assert.deepEqual(calls, [
      ['gdbus', 'monitor', '--system', '--dest', 'org.freedesktop.login1', '--object-path', '/org/freedesktop/login1'],
    ]);
    const text = RECORDED.join('\n') + '\n';
    child.stdout.write(text.slice(0, 100));
    child.stdout.write(text.slice(100));
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        assert.deepEqual(
          events.map((e) => e.type),
          ['watching', 'sleeping', 'resumed'],
        );
        w.stop();
        assert.deepEqual(child.killed, ['SIGTERM']);
        resolve();
      }),
    );
  });

  it('no gdbus (ENOENT): one unavailable note, no throw', () => {
    const child = scriptedChild();
    const notes: string[] = [];
    watchSleep(() => {}, {
      spawn: () => child as unknown as ChildProcess,
      onUnavailable: (why) => notes.push(why),
    });
    child.emit('error', Object.assign(new Error('spawn gdbus ENOENT'), { code: 'ENOENT' }));
    child.emit('exit', null, null);
    assert.deepEqual(notes, ['gdbus is not installed']);
  });
});
