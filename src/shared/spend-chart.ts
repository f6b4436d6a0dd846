import { pricedSum } from './money.js';

/** One UTC day of the month in the spend chart. */
export interface SpendDay {
  /** `2026-11-05`. */
  readonly date: string;
  /** Day of the month, 1–31. */
  readonly day: number;
  /** What was spent that day (instance time, all workstations), USD rounded to cents; 0 for days to come. */
  readonly usd: number;
  /** Days after today: drawn at the pace (`paceUsdPerDay`), not spent yet. */
  readonly future: boolean;
  readonly today: boolean;
}

/**
 * This month's daily spend, where it is heading and the budget: the one model behind the popover's
 * bar chart, `rig cost`'s text chart and `rig cost --json` (no chart shows a number this lacks).
 * Every amount is USD rounded to cents.
 */
export interface SpendChart {
  /** `2026-11` (UTC, as the cost meter counts months). */
  readonly month: string;
  readonly days: readonly SpendDay[];
  /** Spent this month so far. */
  readonly spentUsd: number;
  /** The month so far spread over the days elapsed (at least one): the pace the projection assumes. */
  readonly paceUsdPerDay: number;
  /** Spent so far plus the pace for the rest of the month. */
  readonly projectedUsd: number;
  /** The monthly budget from the reminder settings; null when none is set. */
  readonly budgetUsd: number | null;
  /** The budget spread over the month's days (the line across the bars); null without a budget. */
  readonly budgetPerDayUsd: number | null;
  /** The tallest bar or line (the chart's top): the most spent in a day, the pace or the daily budget. */
  readonly topUsd: number;
  /** False when the run history starts inside the month: earlier spend is not counted. */
  readonly complete: boolean;
  /** True when some run had no known price and counts as zero. */
  readonly unpriced: boolean;
}

/** One of the chart's month figures (spent, projected) as both faces word it; see `pricedSum`. */
export function chartFigure(chart: SpendChart, usd: number): string {
  return pricedSum(usd, chart.unpriced, chart.spentUsd > 0);
}

/** The pace as both faces word it: `$1.20/day`, or `unknown` when nothing this month was priced. */
export function chartPace(chart: SpendChart): string {
  return chart.unpriced && chart.spentUsd === 0 ? 'unknown' : `${chartFigure(chart, chart.paceUsdPerDay)}/day`;
}
