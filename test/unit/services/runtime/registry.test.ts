// The runtime registry over real Unix sockets in a temporary directory: a control server answering
// status and disconnect, stale sockets removed, malformed requests refused, the directory checks.
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TunnelStatus } from '../../../../main/services/runtime/control-protocol.js';
import { ControlServer, socketPathFor } from '../../../../main/services/runtime/control-server.js';
import { disconnectTunnel, listTunnels, request } from '../../../../main/services/runtime/registry.js';
import { checkRuntimeDir, ensureRuntimeDir, runtimeDirFor } from '../../../../main/services/runtime/runtime-dir.js';

const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const me = { uid, gid };

function status(name: string, pid: number): TunnelStatus {
  return {
    pid,
    name,
    profileId: null,
    server: '192.0.2.1:443',
    state: 'connected',
    interface: 'causeway0',
    ipv4: { address: '10.0.0.2', peer: '10.0.0.1' },
    routes: ['0.0.0.0/0'],
    dns: [],
    startedAt: 1,
    connectedAt: 2,
    reconnects: 0,
    bytes: { rx: 10, tx: 20 },
    packets: { rx: 1, tx: 2 },
    lastFailure: null,
  };
}

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'cw-rt-')), 'causeway');
  assert.ok(ensureRuntimeDir(dir, me, uid).ok);
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

function rawExchange(path: string, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(path, () => s.write(bytes));
    let out = '';
    s.setEncoding('utf8').on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

describe('control server and registry', () => {
  it('answers status; the socket is 0600 and disappears on close', async () => {
    const opened = await ControlServer.open(
      dir,
      { pid: 4242, name: 'Lab', owner: me, selfUid: uid },
      { status: () => status('Lab', 4242), requestStop: () => assert.fail('not asked') },
    );
    assert.ok(opened.ok);
    assert.equal(opened.server.path, socketPathFor(dir, 4242));
    assert.equal(statSync(opened.server.path).mode & 0o777, 0o600);
    const listing = await listTunnels(dir, { alive: () => true });
    assert.deepEqual(
      listing.tunnels.map((t) => t.status),
      [status('Lab', 4242)],
    );
    assert.deepEqual(listing.problems, []);
    await opened.server.close();
    assert.equal(existsSync(opened.server.path), false);
    assert.deepEqual((await listTunnels(dir, { alive: () => true })).tunnels, []);
  });

  it('a disconnect starts the stop and is answered only when the server closes (teardown done)', async () => {
    let stops = 0;
    let closeServer: () => Promise<void> = async () => {};
    const opened = await ControlServer.open(
      dir,
      { pid: 7, name: 'Lab', owner: me, selfUid: uid },
      {
        status: () => status('Lab', 7),
        requestStop: () => {
          stops++;
          // The tunnel's teardown finishes later; then connect's finally closes the registration.
          setImmediate(() => void closeServer());
        },
      },
    );
    assert.ok(opened.ok);
    let closed = false;
    closeServer = async () => {
      closed = true;
      await opened.server.close();
    };
    const r = await disconnectTunnel(opened.server.path);
    assert.equal(stops, 1);
    assert.ok(closed, 'answered after close');
    assert.deepEqual(r, { ok: true, response: { reply: 'disconnected', name: 'Lab' } });
  });

  it('several sessions of one process (`causeway connect A B`): one socket each, <pid>.sock and <pid>-<slot>.sock', async () => {
    const servers = await Promise.all(
      ['A', 'B', 'C'].map((name, slot) =>
        ControlServer.open(
          dir,
          { pid: 4242, slot, name, owner: me, selfUid: uid },
          { status: () => ({ ...status(name, 4242), startedAt: slot }), requestStop: () => {} },
        ),
      ),
    );
    const opened = servers.map((o) => (o.ok ? o.server : assert.fail(o.message)));
    assert.deepEqual(
      opened.map((s) => s.path),
      [join(dir, '4242.sock'), join(dir, '4242-1.sock'), join(dir, '4242-2.sock')],
    );
    const listing = await listTunnels(dir, { alive: () => true });
    assert.deepEqual(
      listing.tunnels.map((t) => t.status.name),
      ['A', 'B', 'C'],
    );
    // The pid says whether a slot's socket is stale: all go when the process is dead.
    for (const s of opened) await s.close();
    writeFileSync(join(dir, '999999-3.sock'), '');
    writeFileSync(join(dir, '999999-x.sock'), 'not ours');
    assert.deepEqual((await listTunnels(dir, { alive: (pid) => pid !== 999999 })).tunnels, []);
    assert.equal(existsSync(join(dir, '999999-3.sock')), false);
    assert.equal(existsSync(join(dir, '999999-x.sock')), true, 'a name that is not a socket of ours is left alone');
  });

  it('sockets of dead processes and sockets nobody listens on are removed, never reported', async () => {
    const dead = join(dir, '999999.sock');
    writeFileSync(dead, '');
    const deaf = join(dir, `${process.pid}.sock`);
    writeFileSync(deaf, ''); // a live pid, but a plain file: connect() is refused
    writeFileSync(join(dir, 'notes.txt'), 'left alone');
    const listing = await listTunnels(dir, { alive: (pid) => pid !== 999999 });
    assert.deepEqual(listing.tunnels, []);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(deaf), false);
    assert.equal(existsSync(join(dir, 'notes.txt')), true);
  });

  it('a missing registry directory lists nothing', async () => {
    assert.deepEqual(await listTunnels(join(dir, 'nope')), { tunnels: [], problems: [] });
  });

  it('refuses malformed requests and keeps serving', async () => {
    const opened = await ControlServer.open(
      dir,
      { pid: 8, name: 'Lab', owner: me, selfUid: uid },
      { status: () => status('Lab', 8), requestStop: () => assert.fail('no stop') },
    );
    assert.ok(opened.ok);
    try {
      assert.match(await rawExchange(opened.server.path, 'not json\n'), /"reply":"error"/);
      assert.match(await rawExchange(opened.server.path, '{"verb":"reboot"}\n'), /unknown request/);
      assert.equal(await rawExchange(opened.server.path, 'x'.repeat(10_000)), '', 'an endless line is cut off');
      const r = await request(opened.server.path, { verb: 'status' }, 5_000);
      assert.ok(r.ok && r.response.reply === 'status');
    } finally {
      await opened.server.close();
    }
  });

  it('a second disconnect after close is answered at once', async () => {
    const opened = await ControlServer.open(
      dir,
      { pid: 9, name: 'Lab', owner: me, selfUid: uid },
      { status: () => status('Lab', 9), requestStop: () => {} },
    );
    assert.ok(opened.ok);
    await opened.server.close();
    await opened.server.close();
    const r = await disconnectTunnel(opened.server.path);
    assert.ok(!r.ok && r.kind === 'gone');
  });
});

describe('runtime directory', () => {
  it('is $XDG_RUNTIME_DIR/causeway for a user, /run/causeway for root, nothing without XDG_RUNTIME_DIR', () => {
    assert.deepEqual(runtimeDirFor({ uid: 1000, env: { XDG_RUNTIME_DIR: '/run/user/1000' } }), {
      ok: true,
      dir: '/run/user/1000/causeway',
    });
    assert.deepEqual(runtimeDirFor({ uid: 0, env: { XDG_RUNTIME_DIR: '/run/user/1000' } }), {
      ok: true,
      dir: '/run/causeway',
    });
    const none = runtimeDirFor({ uid: 1000, env: {} });
    assert.ok(!none.ok && none.error.kind === 'no-runtime-dir');
    const relative = runtimeDirFor({ uid: 1000, env: { XDG_RUNTIME_DIR: 'run' } });
    assert.ok(!relative.ok && relative.error.kind === 'no-runtime-dir');
  });

  it("is created 0700 and refused when others can enter it, when it is a symlink, or when it is someone else's", () => {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    chmodSync(dir, 0o755);
    const open = checkRuntimeDir(dir, uid);
    assert.ok(!open.ok && open.error.kind === 'unsafe');
    chmodSync(dir, 0o700);
    const link = join(dir, '..', 'link');
    symlinkSync(dir, link);
    const viaLink = ensureRuntimeDir(link, me, uid);
    assert.ok(!viaLink.ok && viaLink.error.kind === 'unsafe');
    const other = checkRuntimeDir(dir, uid + 1);
    assert.ok(!other.ok && other.error.kind === 'unsafe' && other.error.message.includes(`uid ${uid}`));
  });

  it(
    'created by root for another user, it is handed to that user',
    { skip: uid === 0 ? false : 'needs root to chown' },
    () => {
      const parent = join(dir, '..', 'user-run');
      mkdirSync(parent, { mode: 0o700 });
      chownSync(parent, 1234, 1234);
      const made = ensureRuntimeDir(join(parent, 'causeway'), { uid: 1234, gid: 1234 }, uid);
      assert.ok(made.ok, JSON.stringify(made));
      assert.equal(statSync(join(parent, 'causeway')).uid, 1234);
    },
  );
});
