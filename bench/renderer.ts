import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';
import { contentTypeOf } from '../src/main/app-protocol.js';
import { EVENT_METHODS, REQUEST_METHODS } from '../src/shared/channels.js';
import type { AppView } from '../src/shared/views.js';
import { notMeasured, summary, type Row } from './report.js';
import type { Samples } from './samples.js';

const KB = 1_000;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const BUNDLE_TARGET = '≤ 150 KB gzip';
const PAINT_TARGET = '≤ 100 ms';
const BLANK = '__bench-empty.html';

/**
 * DESIGN.md's target: renderer bundle ≤ 150 KB gzip; first paint of a snapshot ≤ 100 ms. The size
 * of the built popover (out/renderer, from `npx electron-vite build`), raw and gzip; and, in
 * Chromium, the time from navigation start to the first frame that shows a workstation snapshot.
 * `window.cloudrig` is a stub (added before any page script) whose getView answers at once with
 * `view`, a real AppView computed by core from a real snapshot.
 */
export async function measureRenderer(root: string, view: AppView | null, samples: Samples): Promise<Row[]> {
  const dir = join(root, 'out', 'renderer');
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    const reason = 'out/renderer/index.html is missing (run `npx electron-vite build`)';
    return [notMeasured(6, 'Renderer bundle', BUNDLE_TARGET, reason), notMeasured(6, 'First rendered snapshot in Chromium', PAINT_TARGET, reason)];
  }
  const stale = newestMtime([join(root, 'src', 'renderer'), join(root, 'src', 'shared')]) > statSync(index).mtimeMs;
  const note = stale ? ' (build older than src/renderer)' : '';
  return [bundleRow(dir, note), await paintRow(dir, view, note, samples)];
}

function bundleRow(dir: string, note: string): Row {
  const files = listFiles(dir).filter((file) => !file.endsWith('.map'));
  let raw = 0;
  let gzip = 0;
  const perFile: Record<string, { raw: number; gzip: number }> = {};
  for (const file of files) {
    const bytes = readFileSync(file);
    const size = { raw: bytes.length, gzip: gzipSync(bytes).length };
    perFile[relative(dir, file)] = size;
    raw += size.raw;
    gzip += size.gzip;
  }
  return {
    item: 6,
    measure: `Renderer bundle, ${files.length} files in out/renderer`,
    result: `${(raw / KB).toFixed(1)} kB raw, ${(gzip / KB).toFixed(1)} kB gzip${note}`,
    target: BUNDLE_TARGET,
    pass: gzip <= 150 * KB,
    data: { raw, gzip, perFile },
  };
}

async function paintRow(dir: string, view: AppView | null, note: string, counts: Samples): Promise<Row> {
  const loads = counts.rendererLoads;
  const measure = `First rendered snapshot in Chromium (${loads} cold loads)`;
  const marker = view?.workstation?.instanceId ?? view?.workstation?.name;
  if (!view || !marker) return notMeasured(6, measure, PAINT_TARGET, 'no workstation snapshot to show');
  if (!existsSync(CHROMIUM)) return notMeasured(6, measure, PAINT_TARGET, `${CHROMIUM} is not installed`);
  const server = await serve(dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
    const samples: { painted: number; inDom: number; load: number; fcp: number | null }[] = [];
    for (let i = 0; i < counts.warmUps + loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(stubBridge, { view, marker, requests: Object.values(REQUEST_METHODS), events: Object.values(EVENT_METHODS) });
      await page.goto(url, { waitUntil: 'load' });
      const timing = await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__benchSnapshot ?? null, undefined, { timeout: 10_000 });
      const times = (await timing.jsonValue()) as { painted: number; inDom: number };
      const load = await page.evaluate(() => (globalThis as unknown as PageGlobals).performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? NaN);
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
      if (i >= counts.warmUps) samples.push({ ...times, load, fcp }); // a warm-up load warms the browser process, not counted
      await context.close();
    }
    // Diagnostic: the browser's own floor, a cold load of an empty page from the same server.
    const blank: number[] = [];
    for (let i = 0; i < counts.rendererBlankLoads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url.replace('index.html', BLANK), { waitUntil: 'load' });
      blank.push(await page.evaluate(() => (globalThis as unknown as PageGlobals).performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? NaN));
      await context.close();
    }
    const painted = summary(samples.map((s) => s.painted));
    const load = summary(samples.map((s) => s.load));
    const afterLoad = summary(samples.map((s) => s.painted - s.load));
    const empty = summary(blank);
    return {
      item: 6,
      measure,
      result: `${painted.median.toFixed(0)} ms median, p95 ${painted.p95.toFixed(0)} ms from navigation start; ` +
        `${afterLoad.median.toFixed(0)} ms after the load event (${load.median.toFixed(0)} ms); an empty page loads in ${empty.median.toFixed(0)} ms${note}`,
      target: `${PAINT_TARGET} from navigation start`,
      pass: painted.median <= 100,
      data: { paintedMs: painted, loadEventMs: load, afterLoadMs: afterLoad, emptyPageLoadMs: empty, samples },
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The few browser globals the page-side functions use (bench/ is typed for node, without DOM). */
interface PageGlobals {
  cloudrig?: unknown;
  __benchSnapshot?: { painted: number; inDom: number };
  document: { body: { textContent: string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
  requestAnimationFrame(callback: () => void): number;
  performance: { getEntriesByType(type: string): { loadEventEnd?: number }[] };
}

/**
 * Runs in the page before its scripts: `window.cloudrig` with every contract method, getView
 * answering `view`; a MutationObserver notes when `marker` (the instance id) is in the DOM, and
 * the next animation frame (the one that paints it).
 */
function stubBridge(input: { view: unknown; marker: string; requests: string[]; events: string[] }): void {
  const page = globalThis as unknown as PageGlobals;
  const api: Record<string, unknown> = {};
  for (const method of input.requests) api[method] = () => Promise.resolve({ ok: true, value: method === 'getView' ? input.view : null });
  for (const method of input.events) api[method] = () => () => undefined;
  Object.defineProperty(page, 'cloudrig', { value: Object.freeze(api) });
  const observer = new page.MutationObserver(() => {
    if (!page.document.body?.textContent?.includes(input.marker)) return;
    observer.disconnect();
    const inDom = performance.now();
    page.requestAnimationFrame(() => {
      page.__benchSnapshot = { inDom, painted: performance.now() };
    });
  });
  observer.observe(page.document, { childList: true, subtree: true, characterData: true });
}


/** Serves `dir` on loopback (module scripts do not load from file://). */
async function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === `/${BLANK}`) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end('<!doctype html><title>blank</title><p>blank</p>');
      return;
    }
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(dir) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentTypeOf(path), 'cache-control': 'no-store' });
    res.end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]);
}

function newestMtime(dirs: readonly string[]): number {
  return Math.max(0, ...dirs.filter(existsSync).flatMap(listFiles).map((file) => statSync(file).mtimeMs));
}
