import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleUrlOf, elsewhereView, type ForeignInstance } from '../../src/core/app/forgotten-watch.js';
import { SHOTS, canRunChromium, openComponentPage } from './support/component-page.js';

// The popover's "Elsewhere in this account" list in Chromium, from the view core makes of a scan.
let browser: Browser;
let page: Page;

function foreign(instanceId: string, region: string, instanceType: string, hours: number, hourlyUsd: number | null, dismissed = false): ForeignInstance {
  return { instanceId, region, instanceType, launchedAt: null, uptimeMs: hours * 3_600_000, hourlyUsd, priceSource: hourlyUsd === null ? null : 'live', consoleUrl: consoleUrlOf(region, instanceId), dismissed };
}

const SCAN = {
  at: Date.parse('2026-11-27T15:00:00Z'),
  instances: [
    foreign('i-0f00dcafe1234', 'ap-southeast-2', 'g4dn.xlarge', 3.1, 0.71),
    foreign('i-0beef5678', 'eu-central-1', 'p3.2xlarge', 50, 3.823, true),
  ],
};

beforeAll(async () => {
  if (!canRunChromium) return;
  ({ browser, page } = await openComponentPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!canRunChromium)('Elsewhere in this account', () => {
  it('lists each instance CloudRig did not start with its uptime and rate, and sends the buttons as intents', async () => {
    const view = elsewhereView(SCAN);
    expect(view.summary).toBe('2 running · $4.53/h in total');
    await page.evaluate((v) => (globalThis as unknown as { renderElsewhere(v: unknown): void }).renderElsewhere(v), view);
    const rows = page.getByTestId('elsewhere-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('g4dn.xlarge in ap-southeast-2 i-0f00dcafe1234up 3h06m · $0.71/h');
    // Dismissed: listed, with no "don't tell me" button left.
    expect(await rows.nth(1).getByRole('button').allTextContents()).toEqual(['Show in AWS console']);
    await rows.nth(0).getByRole('button', { name: 'Show in AWS console' }).click();
    await rows.nth(0).getByRole('button', { name: "Don't tell me about this one again" }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { intents: string[] }).intents)).toEqual(['console:i-0f00dcafe1234', 'dismiss:i-0f00dcafe1234']);
    await mkdir(SHOTS, { recursive: true });
    await page.getByTestId('elsewhere').screenshot({ path: join(SHOTS, 'elsewhere-list.png') });
  });

  it('shows nothing when the scan found nothing', async () => {
    await page.evaluate((v) => (globalThis as unknown as { renderElsewhere(v: unknown): void }).renderElsewhere(v), elsewhereView({ at: 0, instances: [] }));
    await expect.poll(() => page.getByTestId('elsewhere').count()).toBe(0);
  });
});
