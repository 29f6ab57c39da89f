// Which file under the renderer folder a request path names, or why none: the one place request paths
// meet the filesystem. Pure (no I/O), never throws, so hostile paths become a 4xx and nothing else.
import { isAbsolute, join, relative, sep } from 'node:path';

export type StaticPath = { ok: true; file: string } | { ok: false; status: 400 | 404 | 414 };

/** Longer than any file the renderer build makes; refuses before any decoding work. */
const MAX_PATH = 1024;

export function resolveStaticPath(root: string, rawUrl: string): StaticPath {
  if (rawUrl.length > MAX_PATH) return { ok: false, status: 414 };
  // Only origin-form ("/x?y"): absolute-form and authority-form requests are not for this server.
  if (!rawUrl.startsWith('/')) return { ok: false, status: 400 };
  const pathname = rawUrl.split(/[?#]/, 1)[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // "/%", "/%zz", a lone surrogate: not a path.
    return { ok: false, status: 400 };
  }
  // NUL ends paths in C; a backslash is a separator on Windows; neither appears in the renderer's files.
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, status: 404 };
  const rel = segments.length === 0 ? 'index.html' : segments.join(sep);
  const file = join(root, rel);
  // Belt and braces: whatever the checks above missed, nothing outside the root is served.
  const back = relative(root, file);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) return { ok: false, status: 404 };
  return { ok: true, file };
}
