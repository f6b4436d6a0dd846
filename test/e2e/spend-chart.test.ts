import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spendChart } from '../../src/core/spend-chart.js';
import type { RunHistory, RunInterval } from '../../src/core/cost-meter.js';
import type { SpendChart } from '../../src/shared/spend-chart.js';
import { CHROMIUM, SHOTS, canRunChromium as canRun, openComponentPage } from './support/component-page.js';

// The popover's spend chart component in Debian's Chromium, rendered from a model made by the core
// from a run history (the same model `rig cost --json` prints). A harness page holds only the
// component, so the test needs no AWS: the numbers come from the fixture history below.
if (!canRun) console.log(`spend chart e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const NOW = Date.parse('2026-11-27T15:00:00Z');
const HOUR = 3_600_000;

function run(day: number, hour: number, hours: number, hourlyUsd: number): RunInterval {
  const startedAt = Date.UTC(2026, 10, day, hour);
  const endedAt = Math.min(startedAt + hours * HOUR, NOW);
  return { instanceId: 'i-0abc', instanceType: 'g5.xlarge', startedAt, endedAt: endedAt === NOW ? null : endedAt, lastSeenAt: endedAt, hourlyUsd, priceSource: 'live', estimated: false };
}

/** A month of evenings on a g5.xlarge and a few long days on a g4dn.xlarge. */
const HISTORIES: RunHistory[] = [
  { workstation: 'gpu', completeSince: Date.UTC(2026, 9, 1), intervals: [2, 3, 5, 9, 10, 12, 16, 17, 19, 23, 24, 26].map((day, i) => run(day, 18, 2 + (i % 3), 1.006)).concat([run(27, 13, 5, 1.006)]) },
  { workstation: 'train', completeSince: Date.UTC(2026, 9, 1), intervals: [run(6, 8, 9, 0.526), run(13, 8, 10, 0.526), run(20, 7, 11, 0.526)] },
];

let browser: Browser;
let page: Page;

async function render(chart: SpendChart): Promise<void> {
  await page.evaluate((model) => (globalThis as unknown as { renderSpendChart(c: unknown): void }).renderSpendChart(model), chart);
  await page.getByTestId('spend-chart').waitFor();
}

/** Every number the chart shows as text (caption, budget label, axis, bar titles). */
async function numbersShown(): Promise<number[]> {
  const text = await page.getByTestId('spend-chart').evaluate((figure) => {
    const parts: string[] = [];
    const walk = (node: { textContent: string | null; childNodes: ArrayLike<unknown>; nodeType: number }): void => {
      if (node.nodeType === 3) parts.push(node.textContent ?? '');
      for (const child of Array.from(node.childNodes)) walk(child as typeof node);
    };
    walk(figure as unknown as Parameters<typeof walk>[0]);
    return parts.join(' ');
  });
  // Dates (2026-11-05) are the model's month and day; the rest are amounts and day numbers.
  return (text.replace(/\d{4}-\d\d-(\d\d)/g, ' $1 ').match(/\d+(\.\d+)?/g) ?? []).map(Number);
}

function knownNumbers(chart: SpendChart): Set<number> {
  return new Set<number>([chart.spentUsd, chart.paceUsdPerDay, chart.projectedUsd, chart.topUsd, chart.budgetUsd ?? -1, chart.budgetPerDayUsd ?? -1,
    ...chart.days.flatMap((d) => [d.day, d.usd]), ...chart.month.split('-').map(Number)]);
}

beforeAll(async () => {
  if (!canRun) return;
  ({ browser, page } = await openComponentPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!canRun)('the popover spend chart', () => {
  it('draws a bar a day, the projection at the pace and the budget line, showing only numbers of the model', async () => {
    const chart = spendChart(HISTORIES, NOW, 100);
    await render(chart);
    await expect.poll(() => page.getByTestId('spend-bar').count()).toBe(27);
    expect(await page.getByTestId('spend-bar-projected').count()).toBe(3);
    expect(await page.getByTestId('spend-budget-line').count()).toBe(1);
    expect(await page.getByTestId('spend-summary').textContent()).toBe(
      `This month $${chart.spentUsd.toFixed(2)} · projected $${chart.projectedUsd.toFixed(2)} of $100.00 budget · pace $${chart.paceUsdPerDay.toFixed(2)}/day`);
    // The tallest day reaches the top of the plot; a day without use has no height.
    const heights = await page.getByTestId('spend-bar').evaluateAll((bars) => bars.map((bar) => Number((bar as unknown as { getAttribute(name: string): string | null }).getAttribute('height'))));
    const tallest = chart.days.findIndex((d) => d.usd === chart.topUsd);
    expect(heights[tallest]).toBe(Math.max(...heights));
    expect(heights[0]).toBe(0);
    const shown = await numbersShown();
    expect(shown.length).toBeGreaterThan(20);
    expect(shown.filter((n) => !knownNumbers(chart).has(n))).toEqual([]);
    await mkdir(SHOTS, { recursive: true });
    await page.getByTestId('spend-chart').screenshot({ path: join(SHOTS, 'spend-chart.png') });
  });

  it('has no budget line when no budget is set, and marks a projection over budget', async () => {
    await render(spendChart(HISTORIES, NOW, null));
    await expect.poll(() => page.getByTestId('spend-budget-line').count()).toBe(0);
    const tight = spendChart(HISTORIES, NOW, 20);
    await render(tight);
    await expect.poll(() => page.getByTestId('spend-budget-line').count()).toBe(1);
    const color = await page.getByTestId('spend-summary').locator('span').evaluate((span) => (span as unknown as { style: { color: string } }).style.color);
    expect(color).toBe('rgb(217, 48, 54)');
  });
});
