import { chartFigure, chartPace, type SpendChart } from '../shared/spend-chart.js';
import { formatUsd } from '../shared/money.js';

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ROWS = 4;


/**
 * `rig cost`'s picture of the month: one column a day, four rows of eighth-blocks (past days
 * solid, the rest of the month ░ at the pace), the daily budget as ─ where no bar covers it, the
 * day numbers under it and the totals after. Every number shown is a field of the chart (and so of
 * `rig cost --json`).
 */
export function spendChartLines(chart: SpendChart): string[] {
  const levels = ROWS * 8;
  const scale = (usd: number): number => (chart.topUsd > 0 ? Math.round((usd / chart.topUsd) * levels) : 0);
  const budgetLevel = chart.budgetPerDayUsd === null ? null : Math.max(1, scale(chart.budgetPerDayUsd));
  const rows: string[] = [];
  for (let row = ROWS - 1; row >= 0; row -= 1) {
    let line = '';
    for (const day of chart.days) {
      const height = day.future ? scale(chart.paceUsdPerDay) : Math.max(day.usd > 0 ? 1 : 0, scale(day.usd));
      const fill = Math.min(8, Math.max(0, height - row * 8));
      const onBudgetLine = budgetLevel !== null && Math.ceil(budgetLevel / 8) - 1 === row && fill === 0;
      line += onBudgetLine ? '─' : day.future ? (fill >= 4 ? '░' : ' ') : BLOCKS[fill];
    }
    rows.push(`  │${line}│`);
  }
  // Day numbers under the first day and every fifth.
  let axis = '';
  for (const day of chart.days) {
    if (axis.length > day.day - 1) continue;
    axis += day.day === 1 || day.day % 5 === 0 ? String(day.day) : ' ';
  }
  const budget = chart.budgetUsd === null ? '' : ` · budget ${formatUsd(chart.budgetUsd)} (${formatUsd(chart.budgetPerDayUsd ?? 0)}/day, ─)`;
  const over = chart.budgetUsd !== null && chart.projectedUsd > chart.budgetUsd ? ' — over budget at this pace' : '';
  const unpriced = chart.unpriced ? " (a run's rate is unknown and not counted)" : '';
  return [
    `Daily spend, ${chart.month} (UTC), top ${chart.unpriced && chart.topUsd === 0 ? 'unknown' : `${formatUsd(chart.topUsd)}/day`}; ░ the rest of the month at the pace:`,
    ...rows,
    `   ${axis}`,
    `Spent ${chartFigure(chart, chart.spentUsd)} · pace ${chartPace(chart)} · projected ${chartFigure(chart, chart.projectedUsd)} by month end${budget}${over}${unpriced}`,
  ];
}
