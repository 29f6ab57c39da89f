// How a root process starts the helper, per layout: the packaged app cannot use Electron as node (its
// RunAsNode fuse is off), and a bundle has no main.js beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  directHelperCommand,
  linuxHelperLaunch,
  PKEXEC,
  INSTALLED_HELPER,
} from '../../../main/helper/client/launch-linux.js';

test('packaged: the bundled helper on the runtime shipped in resources/, never Electron as node', () => {
  const cmd = directHelperCommand(
    { kind: 'packaged', resourcesPath: '/opt/Causeway/resources' },
    { execPath: '/opt/Causeway/causeway-app', electron: true },
  );
  assert.deepEqual(cmd, {
    command: '/opt/Causeway/resources/node/node',
    args: ['/opt/Causeway/resources/helper/causeway-helper.cjs'],
  });
});

test('bundle (the shipped CLI): the helper bundle beside it, on the same node', () => {
  const cmd = directHelperCommand(
    { kind: 'bundle', bundleFile: '/opt/Causeway/resources/cli/causeway-cli.cjs' },
    { execPath: '/opt/Causeway/resources/node/node', electron: false },
  );
  assert.deepEqual(cmd, {
    command: '/opt/Causeway/resources/node/node',
    args: ['/opt/Causeway/resources/helper/causeway-helper.cjs'],
  });
  const dev = directHelperCommand(
    { kind: 'bundle', bundleFile: '/src/causeway/dist/cli/causeway-cli.cjs' },
    { execPath: '/usr/bin/node', electron: false },
  );
  assert.deepEqual(dev.args, ['/src/causeway/dist/helper/causeway-helper.cjs']);
});

test('build tree: main.ts through tsx from source; Electron in development only when told to act as node', () => {
  const plain = directHelperCommand(
    { kind: 'build-tree', moduleFile: '/x/main/engine/tun/native-addon.ts' },
    { execPath: '/usr/bin/node', electron: false },
  );
  assert.equal(plain.command, '/usr/bin/node');
  assert.equal(plain.env, undefined);
  assert.match(plain.args.at(-1) ?? '', /main\/helper\/root\/main\.ts$/);
  const electron = directHelperCommand(
    { kind: 'build-tree', moduleFile: '/x/main/engine/tun/native-addon.ts' },
    { execPath: '/x/electron', electron: true },
  );
  assert.deepEqual(electron.env, { ELECTRON_RUN_AS_NODE: '1' });
});

test('not root: pkexec on the installed launcher the polkit action names', () => {
  assert.deepEqual(linuxHelperLaunch({ direct: false }), {
    command: PKEXEC,
    args: [INSTALLED_HELPER],
    viaPolkit: true,
  });
});
