// Root: two real helpers starting while a dead helper's journal is still being replayed. The second
// waits for the state lock (state-lock.ts) and then finds nothing left to undo: without the lock it
// would replay the same journal a second time, alongside the first, and undo changes the first
// helper may by then have made again under the same names.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import { STATE_DIR } from '../../../main/helper/root/state-store.js';
import { addUplink, createNetns, deleteNetns, helperIn, inNetns, IP, isRoot, routeTable, sh } from './netns.js';

const NS = 'cwt-lock';
const FILES = 15;
const STEPS = 64; // the journal of a helper with a full route list

describe('state lock between two helpers (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwt-lock-'));
  after(() => {
    deleteNetns(NS);
    rmSync(dir, { recursive: true, force: true });
  });

  test("the second helper waits for the first's crash cleanup and replays nothing itself", async () => {
    createNetns(NS);
    addUplink(NS);
    // A state directory of their own (bind-mounted over the real one in a private mount namespace).
    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o700 });
    chmodSync(state, 0o700);
    mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    const outer = [
      '/usr/bin/unshare',
      '-m',
      '--propagation',
      'private',
      '/bin/sh',
      '-c',
      `mount --bind "$0" ${STATE_DIR} && exec "$@"`,
      state,
    ];
    // What FILES killed helpers left: routes in the namespace and their journals, pids long gone.
    const net = inNetns(NS, '/usr/bin/readlink', ['/proc/self/ns/net']).trim();
    const batch: string[] = [];
    for (let f = 0; f < FILES; f++) {
      const steps = [];
      for (let s = 0; s < STEPS; s++) {
        const destination = `10.77.${f}.${s + 1}/32`;
        batch.push(`route add ${destination} dev cwt-up0`);
        steps.push({ kind: 'delete-route', group: 'routes', destination, dev: 'cwt-up0' });
      }
      const pid = 4_190_000 + f; // above any pid this machine hands out
      writeFileSync(
        join(state, `${pid}.json`),
        JSON.stringify({ version: 1, pid, startTime: '1', namespaces: { net, mnt: 'mnt:[1]' }, steps }),
        { mode: 0o600 },
      );
    }
    writeFileSync(join(dir, 'routes.batch'), `${batch.join('\n')}\n`);
    sh(IP, ['-n', NS, '-batch', join(dir, 'routes.batch')]);
    assert.equal(
      routeTable(NS)
        .split('\n')
        .filter((l) => l.startsWith('10.77.')).length,
      FILES * STEPS,
    );

    const logs = { a: [] as string[], b: [] as string[] };
    let cleaning: () => void = () => {};
    const aCleaning = new Promise<void>((r) => (cleaning = r));
    const aStarted = HelperClient.start(helperIn(NS, outer), {
      onLog: (l) => {
        logs.a.push(l);
        if (/undoing/.test(l)) cleaning();
      },
    });
    // B starts only once A is inside its cleanup, holding the lock.
    await aCleaning;
    const bStarted = HelperClient.start(helperIn(NS, outer), { onLog: (l) => logs.b.push(l) });
    const [a, b] = await Promise.all([aStarted, bStarted]);
    try {
      const undoing = (lines: string[]) => lines.filter((l) => /undoing \d+ step\(s\) left by helper/.test(l)).length;
      assert.equal(undoing(logs.a), FILES, logs.a.join('\n'));
      assert.equal(undoing(logs.b), 0, `B replayed journals A was replaying:\n${logs.b.join('\n')}`);
      const waited = logs.b.map((l) => /waited (\d+) ms for the state lock/.exec(l)?.[1]).find((m) => m !== undefined);
      assert.ok(waited !== undefined, `B did not wait for the lock:\n${logs.b.join('\n')}`);
      assert.equal(routeTable(NS).includes('10.77.'), false, 'every leftover route undone once');
      assert.deepEqual(
        readdirSync(state).filter((n) => n.endsWith('.json')),
        [],
      );
      console.log(`# B waited ${waited} ms while A undid ${FILES * STEPS} leftover routes`);
    } finally {
      await a.close();
      await b.close();
    }
    assert.ok(existsSync(join(state, '.lock')));
  });
});
