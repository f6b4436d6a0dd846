import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import { utcMonthStart } from '../../src/core/cost-meter.js';
import { appOn, startApp, type AppHarness } from '../support/app-harness.js';
import { initArgs, startRigWorld, type RigWorld } from '../support/rig-harness.js';
import { ensureAppBuilt } from './support/build-app.js';
import { CHROMIUM, canRunChromium as canRun, ROOT, SHOTS } from './support/component-page.js';
import { openPopover, type PopoverPage } from './support/popover-page.js';

// The built popover in Chromium over a fleet: two workstations made and started by the real `rig`
// against moto + proxy, the app session and IPC router as in the app, and a month of run history
// behind the spend chart.
if (!canRun) console.log(`popover fleet e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const HOUR = 3_600_000;
let world: RigWorld;
let app: AppHarness;
let popover: PopoverPage;
let page: Page;

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

  app = startApp(appOn(world, { terminals: ['xterm'], tickMs: 1_000, start: false }));
  popover = await openPopover(app.session, { width: 380, height: 720 });
  page = popover.page;
}, 180_000);

afterAll(async () => {
  await popover?.close();
  await app?.dispose();
  await world?.close();
});

describe.runIf(canRun)('the popover over two workstations', () => {
  it('lists both with their states, draws the month under the cost, and switches to the other one on a click', async () => {
    const entries = page.getByTestId('fleet-entry');
    // Last used first: `rig up other` was the last command to name one.
    await expect.poll(() => entries.allTextContents(), { timeout: 30_000 })
      .toEqual(['other Running, waiting for ssh…', 'gpu No instance']);
    // The rate comes from the Pricing API (or the bundled table), which may answer after the list shows.
    await expect.poll(() => page.getByTestId('fleet-summary').textContent(), { timeout: 30_000 }).toMatch(/^1 of 2 running · \$[\d.]+\/h in total$/);
    // `rig init other` made it the current one.
    await expect.poll(() => page.locator('#workstation-name').textContent()).toBe('other');
    await page.getByTestId('spend-chart').waitFor();
    expect(await page.getByTestId('spend-bar').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'fleet.png') });

    await entries.filter({ hasText: 'gpu' }).click();
    await expect.poll(() => page.locator('#workstation-name').textContent()).toBe('gpu');
    await expect.poll(() => page.getByTestId('phase').textContent()).toBe('No instance');
    await page.screenshot({ path: join(SHOTS, 'fleet-switched.png') });
    await expect.poll(() => entries.allTextContents()).toEqual(['gpu No instance', 'other Running, waiting for ssh…']);
    // Choosing `other` again puts it back ahead of `gpu`.
    await entries.filter({ hasText: 'other' }).click();
    await expect.poll(() => entries.allTextContents()).toEqual(['other Running, waiting for ssh…', 'gpu No instance']);
  });
});
