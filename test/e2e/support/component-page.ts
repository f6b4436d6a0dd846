import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright';
import { SCREENSHOTS_BUILD } from '../../support/docs-build.js';

/** Debian's Chromium, as the popover e2e uses it. */
export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(import.meta.dirname, '../../..');
/** Where the e2e tests save screenshots: the docs build folder, copied into docs/screenshots by `npm run docs`. */
export const SHOTS = SCREENSHOTS_BUILD;
export const canRunChromium = existsSync(CHROMIUM);

/** Debian's Chromium, headless, with nothing of its own reaching the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page at the popover's width holding the component harness (test/e2e/support/component-harness.tsx)
 * and the popover's own stylesheet: components render from models the test passes in.
 */
export async function openComponentPage(options: {
  /** Another harness (default: component-harness.tsx), relative to the repository. */
  readonly harness?: string;
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly colorScheme?: 'light' | 'dark';
} = {}): Promise<{ browser: Browser; page: Page }> {
  const bundle = await build({
    entryPoints: [join(ROOT, options.harness ?? 'test/e2e/support/component-harness.tsx')],
    bundle: true, format: 'iife', write: false, platform: 'browser', jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const browser = await launchChromium();
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 360, height: 200 }, deviceScaleFactor: 2, ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
  });
  await page.setContent('<!doctype html><html><body><div id="root"></div></body></html>');
  await page.addStyleTag({ content: await readFile(join(ROOT, 'src/renderer/styles.css'), 'utf8') });
  await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
  return { browser, page };
}
