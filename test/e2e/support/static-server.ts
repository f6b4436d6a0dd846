import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { assetPath, contentTypeOf, CSP_HEADER } from '../../../src/main/app-protocol.js';

/** The built popover served on loopback the way the app:// protocol serves it (same files, same CSP header). */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

export async function serveRenderer(root: string): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    // Resolve with the app protocol's own path rules, as if the URL were app://cloudrig/….
    const path = assetPath(root, `app://cloudrig${request.url ?? '/'}`);
    if (path === null) {
      response.writeHead(404).end();
      return;
    }
    readFile(path).then(
      (body) => response.writeHead(200, { 'Content-Type': contentTypeOf(path), 'Content-Security-Policy': CSP_HEADER, 'X-Content-Type-Options': 'nosniff' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
