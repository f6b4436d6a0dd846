// This month's spend as a picture: daily totals from the run history the cost meter keeps, the
// projection to month end at the pace so far, and the budget line. Pure: the caller passes the
// histories, the time and the budget; the popover, `rig cost` and its JSON all draw this one model.
import type { SpendChart, SpendDay } from '../shared/spend-chart.js';
import { costBetween, utcMonthKey, utcMonthStart, type RunHistory } from './cost-meter.js';
import { roundCents } from '../shared/money.js';

const DAY_MS = 24 * 3_600_000;


/**
 * The chart at `now` for every workstation's history together. The pace is the month so far
 * divided by the days elapsed, at least one, so an evening of use on the 1st does not project as if
 * it went on all month.
 */
export function spendChart(histories: readonly RunHistory[], now: number, budgetUsd: number | null): SpendChart {
  const monthStart = utcMonthStart(now);
  const next = new Date(monthStart);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const monthEnd = next.getTime();
  const dayCount = Math.round((monthEnd - monthStart) / DAY_MS);
  const todayIndex = Math.floor((now - monthStart) / DAY_MS);
  let unpriced = false;

  const days: SpendDay[] = Array.from({ length: dayCount }, (_, index) => {
    const from = monthStart + index * DAY_MS;
    const future = index > todayIndex;
    let usd = 0;
    if (!future) {
      for (const history of histories) {
        const cost = costBetween(history, from, Math.min(from + DAY_MS, now + 1), now);
        usd += cost.usd;
        unpriced ||= cost.unpriced;
      }
    }
    return { date: new Date(from).toISOString().slice(0, 10), day: index + 1, usd: roundCents(usd), future, today: index === todayIndex };
  });

  // The month's total from the unrounded days, as `rig cost` reports it, then rounded once.
  const spent = histories.reduce((sum, history) => sum + costBetween(history, monthStart, now + 1, now).usd, 0);
  const elapsedDays = Math.max(1, (now - monthStart) / DAY_MS);
  const pace = spent / elapsedDays;
  const projected = spent + pace * Math.max(0, (monthEnd - now) / DAY_MS);
  const budget = budgetUsd !== null && budgetUsd > 0 ? budgetUsd : null;
  const budgetPerDay = budget === null ? null : roundCents(budget / dayCount);
  const paceUsdPerDay = roundCents(pace);
  return {
    month: utcMonthKey(now),
    days,
    spentUsd: roundCents(spent),
    paceUsdPerDay,
    projectedUsd: roundCents(projected),
    budgetUsd: budget,
    budgetPerDayUsd: budgetPerDay,
    topUsd: Math.max(...days.map((d) => d.usd), paceUsdPerDay, budgetPerDay ?? 0),
    complete: histories.length > 0 && histories.every((history) => history.completeSince <= monthStart),
    unpriced,
  };
}
