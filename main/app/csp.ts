// The renderer's Content Security Policy: its own scripts and styles only, no eval, no network.
// One declaration, two deliveries: the response header (window.ts) and the <meta> that the
// renderer build writes into index.html (renderer/vite.config.ts), since Electron does not apply
// header CSP to a file:// page.

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
 * The <meta> policy in the built index.html. The same file is served by the browser host, whose
 * page talks to it over a loopback WebSocket, and a meta policy is enforced on top of any header
 * one: so connect-src allows that socket (the Electron renderer opens none; its header says 'none'
 * where headers apply). frame-ancestors is left out because browsers ignore it in a <meta>.
 */
export const PAGE_CSP = serialize({ ...PAGE, 'connect-src': ["'self'", 'ws://127.0.0.1:*'] });

/** Where renderer/index.html asks for the policy; the build replaces it with PAGE_CSP. */
export const PAGE_CSP_PLACEHOLDER = '%CAUSEWAY_PAGE_CSP%';

/** The built page: the placeholder filled in; a page without exactly one placeholder is a build error. */
export function withPageCsp(html: string): string {
  const parts = html.split(PAGE_CSP_PLACEHOLDER);
  if (parts.length !== 2) throw new Error(`index.html must contain ${PAGE_CSP_PLACEHOLDER} exactly once (found ${parts.length - 1})`);
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="%CAUSEWAY_PAGE_CSP%"\s*\/?>/i;
  if (!meta.test(html)) throw new Error(`${PAGE_CSP_PLACEHOLDER} must be the content of a <meta http-equiv="Content-Security-Policy">`);
  return parts.join(PAGE_CSP);
}
