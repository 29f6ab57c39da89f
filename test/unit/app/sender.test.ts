import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedNavigation, isTrustedSender } from '../../../main/app/sender.js';

const PAGE = 'file:///opt/Causeway/resources/app.asar/renderer/dist/index.html';

test('only the main frame of our window showing our page may call the backend', () => {
  const ok = { frameUrl: PAGE, isMainFrame: true, fromOurWindow: true };
  assert.equal(isTrustedSender(ok, PAGE), true);
  assert.equal(isTrustedSender({ ...ok, frameUrl: `${PAGE}#/logs` }, PAGE), true);
  assert.equal(isTrustedSender({ ...ok, isMainFrame: false }, PAGE), false, 'an iframe');
  assert.equal(isTrustedSender({ ...ok, fromOurWindow: false }, PAGE), false, 'another window');
  assert.equal(isTrustedSender({ ...ok, frameUrl: 'https://evil.example/index.html' }, PAGE), false);
  assert.equal(isTrustedSender({ ...ok, frameUrl: 'file:///tmp/index.html' }, PAGE), false, 'another local file');
  assert.equal(isTrustedSender({ ...ok, frameUrl: undefined }, PAGE), false);
  assert.equal(isTrustedSender({ ...ok, frameUrl: 'not a url' }, PAGE), false);
});

test('navigation away from the app page is refused', () => {
  assert.equal(isAllowedNavigation(PAGE, PAGE), true);
  assert.equal(isAllowedNavigation('https://example.com/', PAGE), false);
});
