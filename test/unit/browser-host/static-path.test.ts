// Request paths → renderer files: hostile paths are refused with a status, never thrown, never outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative, isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { resolveStaticPath } from '../../../main/browser-host/static-path.js';

const ROOT = '/srv/renderer/dist';

test('the ordinary paths name files under the root', () => {
  assert.deepEqual(resolveStaticPath(ROOT, '/'), { ok: true, file: join(ROOT, 'index.html') });
  assert.deepEqual(resolveStaticPath(ROOT, '/assets/index-abc.js?v=1'), {
    ok: true,
    file: join(ROOT, 'assets', 'index-abc.js'),
  });
  assert.deepEqual(resolveStaticPath(ROOT, '/./assets//a%20b.css'), {
    ok: true,
    file: join(ROOT, 'assets', 'a b.css'),
  });
});

test('hostile paths get a 4xx', () => {
  const cases: [string, number][] = [
    ['/%', 400],
    ['/%zz', 400],
    ['/%ed%a0%80', 400],
    ['/../etc/passwd', 404],
    ['/assets/../../etc/passwd', 404],
    ['/%2e%2e/%2e%2e/etc/passwd', 404],
    ['/%2E%2e%2fetc%2fpasswd', 404],
    ['/..%2f..%2fetc/passwd', 404],
    ['/index.html%00.png', 400],
    ['/a\0b', 400],
    ['/..\\..\\etc\\passwd', 400],
    ['/%5c..%5cetc', 400],
    ['http://evil.example/index.html', 400],
    ['*', 400],
    ['', 400],
    [`/${'a'.repeat(5000)}`, 414],
  ];
  for (const [url, status] of cases) assert.deepEqual(resolveStaticPath(ROOT, url), { ok: false, status }, url);
});

test('for any request target: no throw, and a file only ever inside the root', () => {
  const piece = fc.oneof(
    fc.constantFrom(
      '/',
      '..',
      '.',
      '%2e',
      '%2E%2e',
      '%2f',
      '%5c',
      '\\',
      '%00',
      '\0',
      '%',
      '%c0%ae',
      '%ff',
      'index.html',
      'assets',
      '?',
      '#',
      '//',
      '%252e',
    ),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), (pieces, leadingSlash) => {
      const url = (leadingSlash ? '/' : '') + pieces.join('');
      const r = resolveStaticPath(ROOT, url);
      if (!r.ok) return [400, 404, 414].includes(r.status);
      const back = relative(ROOT, r.file);
      return back !== '' && !back.startsWith('..') && !isAbsolute(back);
    }),
    { numRuns: 2000 },
  );
});
