// The renderer's Content Security Policy: its own scripts and styles only, no eval, no network.
// One declaration, three deliveries: the response header (window.ts), the <meta> that the renderer
// build writes into index.html (renderer/vite.config.ts), since Electron does not apply header CSP to
// a file:// page, and the browser host's header and rewritten meta (its one loopback socket allowed).
// Pure: the browser host imports it too.

type Directives = Readonly<Record<string, readonly string[]>>;

const PAGE: Directives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'object-src': ["'none'"],
};

const serialize = (d: Directives): string =>
  Object.entries(d)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');

/** The Electron window's header: the page policy, no connections at all, and no framing. */
export const APP_CSP = serialize({ ...PAGE, 'connect-src': ["'none'"], 'frame-ancestors': ["'none'"] });

/**
 * The <meta> policy in the built index.html: the header's, less frame-ancestors (browsers ignore it in
 * a <meta>). It allows no connection, like the header: in the Electron window (file://, where the
 * header does not apply) it is the policy that counts.
 */
export const PAGE_CSP = serialize({ ...PAGE, 'connect-src': ["'none'"] });

/**
 * The browser host serves the same page, which talks to it over a WebSocket on its own loopback port:
 * its header and its rewritten <meta> allow exactly that socket. A meta policy is enforced on top of
 * a header one, so the meta must be rewritten, not merely joined by a header.
 */
export function browserHostCsp(port: number): { readonly header: string; readonly meta: string } {
  const connect = { 'connect-src': ["'self'", `ws://127.0.0.1:${port}`] };
  return {
    header: serialize({ ...PAGE, ...connect, 'frame-ancestors': ["'none'"] }),
    meta: serialize({ ...PAGE, ...connect }),
  };
}

/** The page with the built meta policy replaced (the browser host's copy of index.html). */
export function withMetaPolicy(html: string, policy: string): string {
  return html.split(`content="${PAGE_CSP}"`).join(`content="${policy}"`);
}

/** Where renderer/index.html asks for the policy; the build replaces it with PAGE_CSP. */
export const PAGE_CSP_PLACEHOLDER = '%CAUSEWAY_PAGE_CSP%';

/** The built page: the placeholder filled in; a page without exactly one placeholder is a build error. */
export function withPageCsp(html: string): string {
  const parts = html.split(PAGE_CSP_PLACEHOLDER);
  if (parts.length !== 2)
    throw new Error(`index.html must contain ${PAGE_CSP_PLACEHOLDER} exactly once (found ${parts.length - 1})`);
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="%CAUSEWAY_PAGE_CSP%"\s*\/?>/i;
  if (!meta.test(html))
    throw new Error(`${PAGE_CSP_PLACEHOLDER} must be the content of a <meta http-equiv="Content-Security-Policy">`);
  return parts.join(PAGE_CSP);
}
