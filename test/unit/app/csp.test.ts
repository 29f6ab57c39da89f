// One CSP declaration (main/app/csp.ts) for the window's header and the page's <meta>: the source page
// asks for it, the renderer build writes it in, before any script or style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import {
  APP_CSP,
  browserHostCsp,
  PAGE_CSP,
  PAGE_CSP_PLACEHOLDER,
  withMetaPolicy,
  withPageCsp,
} from '../../../main/app/csp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const directives = (csp: string): Map<string, string> =>
  new Map(csp.split('; ').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]));

test('the page policy is the header policy less frame-ancestors (ignored in a meta): no connection either', () => {
  const header = directives(APP_CSP);
  const page = directives(PAGE_CSP);
  assert.equal(header.get('connect-src'), "'none'");
  assert.equal(header.get('frame-ancestors'), "'none'");
  assert.equal(page.get('connect-src'), "'none'");
  assert.equal(page.has('frame-ancestors'), false);
  for (const [name, value] of header) if (name !== 'frame-ancestors') assert.equal(page.get(name), value, name);
  assert.equal(page.size, header.size - 1);
  assert.equal(page.get('script-src'), "'self'");
  assert.equal(page.get('default-src'), "'none'");
});

test("the browser host's policies allow its own socket and nothing else beyond the page's", () => {
  const { header, meta } = browserHostCsp(43117);
  const h = directives(header);
  const m = directives(meta);
  assert.equal(h.get('connect-src'), "'self' ws://127.0.0.1:43117");
  assert.equal(m.get('connect-src'), "'self' ws://127.0.0.1:43117");
  assert.equal(h.get('frame-ancestors'), "'none'");
  for (const [name, value] of directives(PAGE_CSP)) if (name !== 'connect-src') assert.equal(m.get(name), value, name);
  const page = `<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}" /><script src="./a.js"></script>`;
  assert.equal(
    withMetaPolicy(page, meta),
    `<meta http-equiv="Content-Security-Policy" content="${meta}" /><script src="./a.js"></script>`,
  );
});

test('withPageCsp fills in the one placeholder and refuses pages without a meta for it', () => {
  const html = `<head><meta http-equiv="Content-Security-Policy" content="${PAGE_CSP_PLACEHOLDER}" /></head>`;
  assert.equal(withPageCsp(html), `<head><meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}" /></head>`);
  assert.throws(() => withPageCsp('<head></head>'), /exactly once \(found 0\)/);
  assert.throws(() => withPageCsp(`<title>${PAGE_CSP_PLACEHOLDER}</title>`), /must be the content of a <meta/);
  assert.throws(() => withPageCsp(html + html), /found 2/);
});

test('the built index.html carries the policy in a meta ahead of every script and stylesheet', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'cw-ui-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  await build({
    configFile: join(root, 'renderer', 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/g)];
  assert.equal(metas.length, 1);
  assert.equal(metas[0]?.[1], PAGE_CSP);
  assert.equal(html.includes(PAGE_CSP_PLACEHOLDER), false);
  const at = html.indexOf('http-equiv="Content-Security-Policy"');
  for (const tag of ['<script', '<link rel="stylesheet"', '<style']) {
    const first = html.indexOf(tag);
    assert.ok(first === -1 || first > at, `${tag} before the CSP meta`);
  }
  assert.match(html, /<script type="module" crossorigin src="\.\/assets\//);
});
