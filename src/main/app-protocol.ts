import { extname, join, normalize, sep } from 'node:path';

/** The scheme the popover is served from instead of file:// (Electron checklist §18). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'cloudrig';
/** The popover's origin: IPC is accepted only from pages of this origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The popover's Content-Security-Policy (checklist §7): only its own scripts and styles, no
 * network, no plugins, no frames. The same policy is in src/renderer/index.html as a meta tag
 * (a test keeps them equal); the header adds frame-ancestors, which a meta tag cannot carry.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

export const CSP_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The content type for a served file. */
export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` an `app://cloudrig/…` URL names, or null for any other host, an
 * unparsable URL, or a path that would leave `root` (`..`, encoded slashes).
 */
export function assetPath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  const full = normalize(join(base, relative));
  return full.startsWith(base) ? full : null;
}
