import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright';
import type { AppSession } from '../../../src/core/app/app-session.js';
import { ipcHandlers } from '../../../src/main/ipc-handlers.js';
import { createRouter, senderFrom } from '../../../src/main/ipc-router.js';
import { launchChromium, ROOT } from './component-page.js';
import { serveRenderer, type StaticServer } from './static-server.js';

/** The built popover in Chromium, wired to an app session as main wires it. */
export interface PopoverPage {
  readonly page: Page;
  readonly browser: Browser;
  readonly server: StaticServer;
  close(): Promise<void>;
}

/**
 * Serves out/renderer as the app:// protocol does, binds the real IPC router (the sender checked
 * against the server's origin) to the page through `exposeBinding` and the page bridge, pushes each
 * new view as main does with webContents.send, starts the session and loads the popover.
 */
export async function openPopover(
  session: AppSession,
  viewport: { width: number; height: number },
  /** What main's shell.openExternal would open (the links the popover asks for); default: nothing. */
  openExternal: (url: string) => Promise<void> = async () => undefined,
): Promise<PopoverPage> {
  const server = await serveRenderer(join(ROOT, 'out', 'renderer'));
  const router = createRouter(ipcHandlers(session, openExternal), senderFrom(server.origin));
  const browser = await launchChromium();
  const close = async (): Promise<void> => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage({ viewport, colorScheme: 'dark' });
    const bridge = await build({ entryPoints: [join(ROOT, 'test/e2e/support/page-bridge.ts')], bundle: true, format: 'iife', write: false, platform: 'browser' });
    await page.exposeBinding('__cloudrigInvoke', (source, channel: unknown, payload: unknown) =>
      router.handle(channel, { url: source.frame.url(), isMainFrame: source.frame === source.page.mainFrame() }, payload));
    await page.addInitScript({ content: bridge.outputFiles[0]?.text ?? '' });
    session.onDidChangeView((view) => {
      void page.evaluate(([value]) => (globalThis as unknown as { __cloudrigEmit(c: string, v: unknown): void }).__cloudrigEmit('view:changed', value), [view]).catch(() => undefined);
    });
    session.start();
    await page.goto(`${server.origin}/index.html`);
    return { page, browser, server, close };
  } catch (error) {
    await close();
    throw error;
  }
}
