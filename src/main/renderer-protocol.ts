import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, assetPath, contentTypeOf, CSP_HEADER } from './app-protocol.js';

/** §18: the popover is served from a privileged custom scheme, not file://. Only before ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Serves the built popover from out/renderer on app://cloudrig, with the CSP as a header too. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const path = assetPath(rendererDir, request.url);
    if (path === null) return new Response('Not found', { status: 404 });
    const file = await net.fetch(pathToFileURL(path).toString()).catch(() => null);
    if (!file?.ok) return new Response('Not found', { status: 404 });
    return new Response(file.body, {
      status: 200,
      headers: { 'Content-Type': contentTypeOf(path), 'Content-Security-Policy': CSP_HEADER, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}
