import { describe, expect, it } from 'vitest';
import { spendChart } from '../../src/core/spend-chart.js';
import { spendChartLines } from '../../src/cli/spend-chart-text.js';
import type { RunHistory, RunInterval } from '../../src/core/cost-meter.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const HOUR = 3_600_000;

function run(from: string, hours: number | null, hourlyUsd: number | null): RunInterval {
  const startedAt = Date.parse(from);
  return {
    instanceId: 'i-1', instanceType: 'g4dn.xlarge', startedAt, endedAt: hours === null ? null : startedAt + hours * HOUR,
    lastSeenAt: hours === null ? NOW : startedAt + hours * HOUR, hourlyUsd, priceSource: 'bundled', estimated: false,
  };
}

const HISTORIES: RunHistory[] = [
  { workstation: 'gpu', completeSince: Date.parse('2026-10-01T00:00:00Z'), intervals: [run('2026-11-02T10:00:00Z', 2, 0.526), run('2026-11-27T08:00:00Z', null, 1)] },
  // Across midnight: split between the two days it ran on.
  { workstation: 'big', completeSince: Date.parse('2026-10-01T00:00:00Z'), intervals: [run('2026-11-05T23:00:00Z', 2, 1.006)] },
];

describe('spend chart model', () => {
  it('sums every workstation per UTC day, projects the month at the pace so far, and draws the budget per day', () => {
    const chart = spendChart(HISTORIES, NOW, 60);
    expect(chart.month).toBe('2026-11');
    expect(chart.days).toHaveLength(30);
    expect(chart.days.filter((d) => d.usd > 0).map((d) => [d.day, d.usd])).toEqual([[2, 1.05], [5, 1.01], [6, 1.01], [27, 2]]);
    expect(chart.days[26]).toMatchObject({ date: '2026-11-27', today: true, future: false });
    expect(chart.days[27]).toMatchObject({ future: true, usd: 0 });
    // 1.052 + 2.012 + 2 = 5.064 over 26 days and 10 hours.
    expect(chart.spentUsd).toBe(5.06);
    expect(chart.paceUsdPerDay).toBe(0.19);
    expect(chart.projectedUsd).toBe(5.75);
    expect(chart).toMatchObject({ budgetUsd: 60, budgetPerDayUsd: 2, topUsd: 2, complete: true, unpriced: false });
  });

  it('has no budget line without a budget, and says when a run had no price', () => {
    const chart = spendChart([{ ...HISTORIES[0]!, intervals: [run('2026-11-03T00:00:00Z', 1, null)] }], NOW, null);
    expect(chart).toMatchObject({ budgetUsd: null, budgetPerDayUsd: null, spentUsd: 0, unpriced: true });
  });

  it('on the first of the month counts a whole day, so an hour of use does not project as a month of it', () => {
    const first = Date.parse('2026-11-01T01:00:00Z');
    const chart = spendChart([{ ...HISTORIES[0]!, intervals: [run('2026-11-01T00:00:00Z', 1, 1)] }], first, null);
    expect(chart.paceUsdPerDay).toBe(1);
    expect(chart.projectedUsd).toBe(30.96);
  });
});

describe("rig cost's text chart", () => {
  it('shows a column a day, the budget line, and only numbers the model has', () => {
    const chart = spendChart(HISTORIES, NOW, 60);
    const lines = spendChartLines(chart);
    expect(lines[0]).toBe('Daily spend, 2026-11 (UTC), top $2.00/day; ░ the rest of the month at the pace:');
    expect(lines.slice(1, 5).every((line) => [...line].length === 30 + 4)).toBe(true);
    // The 27th spent the top amount: a full column; the budget ($2.00/day = the top) runs along the top row.
    expect(lines.slice(1, 5).map((line) => [...line][3 + 26])).toEqual(['█', '█', '█', '█']);
    expect([...lines[1]!][3 + 0]).toBe('─');
    expect(lines[6]).toBe('Spent $5.06 · pace $0.19/day · projected $5.75 by month end · budget $60.00 ($2.00/day, ─)');
    const numbers = lines.join('\n').match(/\d+(\.\d+)?/g)!.map(Number);
    const known = new Set([chart.spentUsd, chart.paceUsdPerDay, chart.projectedUsd, chart.budgetUsd, chart.budgetPerDayUsd, chart.topUsd,
      ...chart.days.flatMap((d) => [d.day, d.usd]), ...chart.month.split('-').map(Number)]);
    expect(numbers.filter((n) => !known.has(n))).toEqual([]);
  });
});
