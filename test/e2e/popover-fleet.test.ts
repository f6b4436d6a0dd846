import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import { AppSession } from '../../src/core/app/app-session.js';
import { utcMonthStart } from '../../src/core/cost-meter.js';
import { keyStorageVerdict, type SecretBox } from '../../src/core/credentials.js';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import { createRouter, senderFrom } from '../../src/main/ipc-router.js';
import { initArgs, startRigWorld, type RigWorld } from '../support/rig-harness.js';
import { ensureAppBuilt } from './support/build-app.js';
import { serveRenderer, type StaticServer } from './support/static-server.js';

// The built popover in Chromium over a fleet: two workstations made and started by the real `rig`
// against moto + proxy, the app session and IPC router as in the app, and a month of run history
// behind the spend chart.
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'docs', 'screenshots');
const canRun = existsSync(CHROMIUM);
if (!canRun) console.log(`popover fleet e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const noKeyring: SecretBox = {
  availability: () => keyStorageVerdict('linux', true, 'basic_text'),
  encrypt: () => {
    throw new Error('not available');
  },
  decrypt: () => {
    throw new Error('not available');
  },
};

const HOUR = 3_600_000;
let world: RigWorld;
let server: StaticServer;
let browser: Browser;
let page: Page;
let session: AppSession;

/** Earlier runs of `gpu` this month, a few hours each, so the chart has days to draw. */
async function seedHistory(home: string): Promise<void> {
  const now = Date.now();
  const monthStart = utcMonthStart(now);
  const intervals = [2, 4, 7, 11, 15].map((daysAgo) => now - daysAgo * 24 * HOUR).filter((at) => at - 3 * HOUR >= monthStart)
    .map((endedAt, index) => ({
      instanceId: `i-0seeded0000000${index}`, instanceType: 'g4dn.xlarge', startedAt: endedAt - (2 + index) * HOUR, endedAt, lastSeenAt: endedAt,
      hourlyUsd: 0.526, priceSource: 'bundled' as const, estimated: false,
    }));
  await new FileRunHistoryStore(home).update('gpu', () => ({ workstation: 'gpu', completeSince: monthStart, intervals }));
}

beforeAll(async () => {
  if (!canRun) return;
  await ensureAppBuilt(ROOT);
  await mkdir(SHOTS, { recursive: true });
  world = await startRigWorld();
  expect((await world.rig([...initArgs(world), '--name', 'gpu'])).code).toBe(0);
  const other = await world.rig(['init', '--name', 'other', ...initArgs(world).slice(1).map((arg) => (arg === 'us-east-1' ? 'eu-west-1' : arg))]);
  expect(other.code, other.stderr).toBe(0);
  const up = await world.rig(['up', 'other', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  await seedHistory(world.home);

  session = new AppSession({
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home },
    platform: 'linux',
    createCore,
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set(['xterm']), open: async () => ({ label: 'xterm' }) },
    notifier: { show: () => undefined },
    secretBox: noKeyring,
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    tickMs: 1_000,
  });
  server = await serveRenderer(join(ROOT, 'out', 'renderer'));
  const router = createRouter(ipcHandlers(session, async () => undefined), senderFrom(server.origin));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 380, height: 720 }, colorScheme: 'dark' });
  const bridge = await build({ entryPoints: [join(ROOT, 'test/e2e/support/page-bridge.ts')], bundle: true, format: 'iife', write: false, platform: 'browser' });
  await page.exposeBinding('__cloudrigInvoke', (source, channel: unknown, payload: unknown) =>
    router.handle(channel, { url: source.frame.url(), isMainFrame: source.frame === source.page.mainFrame() }, payload));
  await page.addInitScript({ content: bridge.outputFiles[0]?.text ?? '' });
  session.onDidChangeView((view) => {
    void page.evaluate(([value]) => (globalThis as unknown as { __cloudrigEmit(c: string, v: unknown): void }).__cloudrigEmit('view:changed', value), [view]).catch(() => undefined);
  });
  session.start();
  await page.goto(`${server.origin}/index.html`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await session?.dispose();
  await server?.close();
  await world?.close();
});

describe.runIf(canRun)('the popover over two workstations', () => {
  it('lists both with their states, draws the month under the cost, and switches to the other one on a click', async () => {
    const entries = page.getByTestId('fleet-entry');
    await expect.poll(() => entries.allTextContents(), { timeout: 30_000 })
      .toEqual(['gpu No instance', 'other Running, waiting for ssh…']);
    await expect.poll(() => page.getByTestId('fleet-summary').textContent()).toMatch(/^1 of 2 running · \$[\d.]+\/h in total$/);
    // `rig init other` made it the current one.
    await expect.poll(() => page.locator('#workstation-name').textContent()).toBe('other');
    await page.getByTestId('spend-chart').waitFor();
    expect(await page.getByTestId('spend-bar').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'fleet.png') });

    await entries.filter({ hasText: 'gpu' }).click();
    await expect.poll(() => page.locator('#workstation-name').textContent()).toBe('gpu');
    await expect.poll(() => page.getByTestId('phase').textContent()).toBe('No instance');
    await page.screenshot({ path: join(SHOTS, 'fleet-switched.png') });
    // Last used first: choosing `other` again puts it ahead of `gpu`.
    await entries.filter({ hasText: 'other' }).click();
    await expect.poll(() => entries.allTextContents()).toEqual(['other Running, waiting for ssh…', 'gpu No instance']);
  });
});
