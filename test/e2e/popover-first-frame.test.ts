import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeOf } from '../../src/main/app-protocol.js';
import { workstationView } from '../../src/core/popover-model.js';
import { EVENT_METHODS, REQUEST_METHODS } from '../../src/shared/channels.js';
import { NOW, settingsWithGpu, snapshotIn } from '../unit/support/snapshots.js';
import { ensureAppBuilt } from './support/build-app.js';
import { canRunChromium as canRun, launchChromium, ROOT } from './support/component-page.js';

// The built popover (out/renderer) in Chromium, its bridge a stand-in whose getView answers at
// once: what the page shows in each frame it draws until the workstation is there.

const OUT = join(ROOT, 'out', 'renderer');
// A ready workstation's view, as core builds it from a snapshot.
const VIEW = { screen: 'workstation', workstation: workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, { hourlyUsd: 0.526 }), notice: null, reminder: null };
const INSTANCE = VIEW.workstation.instanceId ?? '';

let server: Server;
let browser: Browser;
let url = '';

beforeAll(async () => {
  if (!canRun) return;
  await ensureAppBuilt(ROOT);
  server = createServer((req, res) => {
    const path = normalize(join(OUT, new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(OUT) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentTypeOf(path) }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise((resolve) => server.close(resolve));
});

describe.skipIf(!canRun)('the popover, opened', () => {
  it('asks for its view as its first render commits: with the answer at hand, no frame it draws shows "Loading…"', async () => {
    const page = await browser.newPage();
    await page.addInitScript((input: { view: unknown; marker: string; requests: string[]; events: string[] }) => {
      const api: Record<string, unknown> = {};
      for (const method of input.requests) api[method] = () => Promise.resolve({ ok: true, value: method === 'getView' ? input.view : null });
      for (const method of input.events) api[method] = () => () => undefined;
      Object.defineProperty(globalThis, 'cloudrig', { value: Object.freeze(api) });
      // Each frame, before the page's own frame callbacks (this is registered first): what it shows.
      const frames: string[] = [];
      Object.defineProperty(globalThis, '__frames', { value: frames });
      // The test is typed for Node, without the DOM: the few browser globals it uses.
      const page = globalThis as unknown as { document: { body: { textContent: string | null } | null }; requestAnimationFrame(callback: () => void): number };
      const everyFrame = (): void => {
        const text = page.document.body?.textContent ?? '';
        frames.push(text.includes(input.marker) ? 'snapshot' : text.includes('Loading') ? 'loading' : 'other');
        if (!text.includes(input.marker)) page.requestAnimationFrame(everyFrame);
      };
      page.requestAnimationFrame(everyFrame);
    }, { view: VIEW, marker: INSTANCE, requests: Object.values(REQUEST_METHODS), events: Object.values(EVENT_METHODS) });
    expect(INSTANCE).not.toBe('');
    await page.goto(url);
    await page.getByText(INSTANCE).first().waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { __frames: string[] }).__frames.includes('snapshot'));
    const frames = await page.evaluate(() => (globalThis as unknown as { __frames: string[] }).__frames);
    expect(frames.at(-1)).toBe('snapshot');
    expect(frames).not.toContain('loading');
    await page.close();
  });

  it('shows what main answered when the first view fails, with its fix, instead of "Loading…" for good', async () => {
    const page = await browser.newPage();
    const error = { code: 'SettingsDamaged', message: 'The settings file /home/u/.cloudrig/settings.json is damaged: it is not JSON.', fix: { action: 'repair-settings', path: '/home/u/.cloudrig/settings.json', field: null } };
    await page.addInitScript((input: { error: unknown; requests: string[]; events: string[] }) => {
      const api: Record<string, unknown> = {};
      for (const method of input.requests) api[method] = () => Promise.resolve(method === 'getView' ? { ok: false, error: input.error } : { ok: true, value: null });
      for (const method of input.events) api[method] = () => () => undefined;
      Object.defineProperty(globalThis, 'cloudrig', { value: Object.freeze(api) });
    }, { error, requests: Object.values(REQUEST_METHODS), events: Object.values(EVENT_METHODS) });
    await page.goto(url);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('CloudRig could not load');
    expect(await alert.textContent()).toContain(error.message);
    expect(await alert.locator('.fix').textContent()).toMatch(/settings\.json/);
    expect(await page.getByText('Loading').count()).toBe(0);
    await page.close();
  });
});
