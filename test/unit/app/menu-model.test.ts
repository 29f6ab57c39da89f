// The application menu: no reload or DevTools in packaged builds; the edit shortcuts stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVELOPER_ROLES, appMenuModel, type MenuRole } from '../../../main/app/menu-model.js';

const roles = (packaged: boolean): MenuRole[] =>
  appMenuModel(packaged).flatMap((s) => s.entries.flatMap((e) => (e.kind === 'role' ? [e.role] : [])));

test('packaged: no developer role anywhere', () => {
  const got = roles(true);
  for (const r of DEVELOPER_ROLES) assert.ok(!got.includes(r), r);
  assert.deepEqual(
    appMenuModel(true).map((s) => s.label),
    ['Causeway', 'Edit', 'Window'],
  );
});

test('packaged: quit and the clipboard shortcuts text fields need are there', () => {
  const got = roles(true);
  for (const r of ['quit', 'copy', 'paste', 'cut', 'selectAll', 'undo', 'redo'] as const) assert.ok(got.includes(r), r);
});

test('development adds reload and DevTools, in a menu of their own', () => {
  const dev = appMenuModel(false);
  assert.deepEqual(dev.at(-1), {
    label: 'Develop',
    entries: [
      { kind: 'role', role: 'reload' },
      { kind: 'role', role: 'forceReload' },
      { kind: 'role', role: 'toggleDevTools' },
    ],
  });
  assert.deepEqual(dev.slice(0, -1), appMenuModel(true));
});
