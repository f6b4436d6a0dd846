import { describe, expect, it } from 'vitest';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import { utcMonthStart } from '../../src/core/cost-meter.js';
import type { SpendChart } from '../../src/shared/spend-chart.js';
import { useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: true } });
const HOUR = 3_600_000;

describe('rig cost draws the month', () => {
  it('prints the daily spend as a text chart whose every number is in rig cost --json', async () => {
    // Two runs of this month in the history the cost meter keeps (whatever day of the month the test runs on).
    const now = Date.now();
    const start = Math.max(utcMonthStart(now), now - 40 * HOUR);
    const span = (now - start) / 3;
    await new FileRunHistoryStore(world.home).update('gpu', () => ({
      workstation: 'gpu',
      completeSince: utcMonthStart(now) - HOUR,
      intervals: [
        { instanceId: 'i-0aaa', instanceType: 'g4dn.xlarge', startedAt: start, endedAt: start + span, lastSeenAt: start + span, hourlyUsd: 0.526, priceSource: 'bundled', estimated: false },
        { instanceId: 'i-0aaa', instanceType: 'g4dn.xlarge', startedAt: start + 2 * span, endedAt: now - 60_000, lastSeenAt: now - 60_000, hourlyUsd: 0.526, priceSource: 'bundled', estimated: false },
      ],
    }));
    world.core().settings.update((s) => ({ ...s, reminders: { ...s.reminders, monthlyBudgetUsd: 90 } }));

    const json = await world.rig(['cost', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { monthUsd: number; chart: SpendChart };
    const { chart } = report;
    expect(chart.spentUsd).toBe(Math.round(report.monthUsd * 100) / 100);
    expect(chart.spentUsd).toBeGreaterThan(0);
    expect(chart.days.reduce((sum, d) => sum + d.usd, 0)).toBeCloseTo(chart.spentUsd, 1);
    expect(chart).toMatchObject({ budgetUsd: 90, complete: true });
    expect(chart.budgetPerDayUsd).toBe(Math.round((90 / chart.days.length) * 100) / 100);

    const text = await world.rig(['cost']);
    expect(text.code, text.stderr).toBe(0);
    const drawn = text.stdout.slice(text.stdout.indexOf('Daily spend'));
    expect(drawn.split('\n').filter((line) => line.startsWith('  │'))).toHaveLength(4);
    expect(drawn).toContain(`Spent $${chart.spentUsd.toFixed(2)} · pace $${chart.paceUsdPerDay.toFixed(2)}/day · projected $${chart.projectedUsd.toFixed(2)} by month end · budget $90.00`);
    // No number in the chart that the JSON does not have.
    const known = new Set<number>([chart.spentUsd, chart.paceUsdPerDay, chart.projectedUsd, chart.topUsd, chart.budgetUsd ?? -1, chart.budgetPerDayUsd ?? -1,
      ...chart.days.flatMap((d) => [d.day, d.usd]), ...chart.month.split('-').map(Number)]);
    const numbers = (drawn.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers.filter((n) => !known.has(n))).toEqual([]);
  });
});
