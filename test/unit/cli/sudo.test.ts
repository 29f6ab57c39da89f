// Acting for the sudo user, with injected passwd text, environment and identity calls.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUserSync, dropToUser, type Identity } from '../../../main/cli/sudo/act-as.js';
import { parsePasswd, resolveInvoker, userEnvironment, type PasswdEntry } from '../../../main/cli/sudo/invoker.js';
import { UserOwnedLogs } from '../../../main/cli/sudo/user-logs.js';
import { openProfileServices } from '../../../main/cli/profiles/services.js';
import { UserKeychainStore } from '../../../main/cli/sudo/user-keychain.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash',
  'broken line',
  'bob:x:notanumber:1:b:/home/bob:/bin/sh',
  '',
].join('\n');
const alice: PasswdEntry = { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' };

describe('resolveInvoker', () => {
  it('parses passwd lines, skipping malformed ones', () => {
    assert.deepEqual(parsePasswd(PASSWD), [{ name: 'root', uid: 0, gid: 0, home: '/root' }, alice]);
  });

  it('is the sudo user only for root with SUDO_UID of someone else', () => {
    const passwd = () => PASSWD;
    assert.deepEqual(resolveInvoker({ uid: 0, env: { SUDO_UID: '1000', SUDO_USER: 'alice' }, passwd }), {
      ok: true,
      invoker: { kind: 'sudo', user: alice },
    });
    assert.deepEqual(resolveInvoker({ uid: 0, env: { SUDO_UID: '1000' }, passwd }), {
      ok: true,
      invoker: { kind: 'sudo', user: alice },
    });
    assert.deepEqual(
      resolveInvoker({ uid: 0, env: {}, passwd }),
      { ok: true, invoker: { kind: 'self' } },
      'root itself',
    );
    assert.deepEqual(
      resolveInvoker({ uid: 0, env: { SUDO_UID: '0' }, passwd }),
      { ok: true, invoker: { kind: 'self' } },
      'root sudo root',
    );
    assert.deepEqual(
      resolveInvoker({ uid: 1001, env: { SUDO_UID: '1000' }, passwd }),
      { ok: true, invoker: { kind: 'self' } },
      'sudo -u bob',
    );
  });

  it('refuses, saying how to run it, when the sudo user cannot be worked out', () => {
    for (const env of [{ SUDO_UID: '4242' }, { SUDO_UID: 'x' }, { SUDO_UID: '1000', SUDO_USER: 'mallory' }]) {
      const r = resolveInvoker({ uid: 0, env, passwd: () => PASSWD });
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'sudo-user-unknown');
      assert.match(r.error.message, /as yourself .*polkit.*--password-stdin/);
    }
    const unreadable = resolveInvoker({
      uid: 0,
      env: { SUDO_UID: '1000' },
      passwd: () => {
        throw new Error('EACCES');
      },
    });
    assert.ok(!unreadable.ok && unreadable.error.message.includes('EACCES'));
  });
});

describe('userEnvironment', () => {
  it("gives the user their home, names and session bus; drops root's XDG dirs and bus", () => {
    const env = userEnvironment(
      {
        HOME: '/root',
        USER: 'root',
        PATH: '/usr/bin',
        XDG_CONFIG_HOME: '/root/.config',
        XDG_STATE_HOME: '/home/alice/.state',
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/0/bus',
        XDG_RUNTIME_DIR: '/run/user/0',
      },
      alice,
      (p) => p === '/run/user/1000' || p === '/run/user/1000/bus',
    );
    assert.equal(env['HOME'], '/home/alice');
    assert.equal(env['USER'], 'alice');
    assert.equal(env['LOGNAME'], 'alice');
    assert.equal(env['PATH'], '/usr/bin');
    assert.equal(env['XDG_CONFIG_HOME'], undefined);
    assert.equal(env['XDG_STATE_HOME'], '/home/alice/.state');
    assert.equal(env['XDG_RUNTIME_DIR'], '/run/user/1000');
    assert.equal(env['DBUS_SESSION_BUS_ADDRESS'], 'unix:path=/run/user/1000/bus');
  });

  it('leaves the bus out when the user has no session (nothing at /run/user/<uid>)', () => {
    const env = userEnvironment({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/0/bus' }, alice, () => false);
    assert.equal(env['DBUS_SESSION_BUS_ADDRESS'], undefined);
    assert.equal(env['XDG_RUNTIME_DIR'], undefined);
  });
});

function recorder(start = { euid: 0, egid: 0 }): Identity & { calls: string[] } {
  const calls: string[] = [];
  let { euid, egid } = start;
  return {
    calls,
    setgroups: (g) => void calls.push(`setgroups ${g.join(',')}`),
    setgid: (g) => void calls.push(`setgid ${g}`),
    setuid: (u) => void calls.push(`setuid ${u}`),
    setegid: (g) => void (calls.push(`setegid ${g}`), (egid = g)),
    seteuid: (u) => void (calls.push(`seteuid ${u}`), (euid = u)),
    geteuid: () => euid,
    getegid: () => egid,
  };
}

describe('switching identity', () => {
  it('dropToUser sets groups, gid, then uid, and replaces the environment', () => {
    const id = recorder();
    const env: NodeJS.ProcessEnv = { HOME: '/root', SUDO_COMMAND: 'x' };
    dropToUser(alice, { HOME: '/home/alice', USER: 'alice' }, id, env);
    assert.deepEqual(id.calls, ['setgroups 1000', 'setgid 1000', 'setuid 1000']);
    assert.deepEqual(env, { HOME: '/home/alice', USER: 'alice' });
  });

  it('asUserSync switches effective ids for the step and back, also when it throws', () => {
    const id = recorder();
    assert.equal(
      asUserSync(alice, () => 42, id),
      42,
    );
    assert.deepEqual(id.calls, ['setegid 1000', 'seteuid 1000', 'seteuid 0', 'setegid 0']);
    const id2 = recorder();
    assert.throws(
      () =>
        asUserSync(
          alice,
          () => {
            throw new Error('boom');
          },
          id2,
        ),
      /boom/,
    );
    assert.deepEqual(id2.calls.slice(-2), ['seteuid 0', 'setegid 0']);
  });

  it('UserOwnedLogs starts each attempt log as the user', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-ulogs-'));
    try {
      const id = recorder();
      let during = -1;
      const logs = new UserOwnedLogs(
        dir,
        alice,
        {},
        {
          ...id,
          seteuid: (u) => {
            id.seteuid(u);
            during = u;
          },
        },
      );
      const started = logs.start('11111111-1111-4111-8111-111111111111');
      assert.ok(started.ok);
      started.value.close();
      assert.deepEqual(id.calls, ['setegid 1000', 'seteuid 1000', 'seteuid 0', 'setegid 0']);
      assert.equal(during, 0, 'back to root after');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("openProfileServices for a sudo invoker uses the user's home, keychain and logs", () => {
    const s = openProfileServices({ HOME: '/root', PATH: '/usr/bin' }, { invoker: { kind: 'sudo', user: alice } });
    assert.equal(s.paths.configDir, '/home/alice/.config/causeway');
    assert.equal(s.paths.logsDir, '/home/alice/.local/state/causeway/logs');
    assert.ok(s.credentials instanceof UserKeychainStore);
    assert.ok(s.logs instanceof UserOwnedLogs);
    const self = openProfileServices({ HOME: '/home/x', XDG_CONFIG_HOME: '/cfg' }, { invoker: { kind: 'self' } });
    assert.equal(self.paths.configDir, '/cfg/causeway');
  });
});
