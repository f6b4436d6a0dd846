import { describe, expect, it } from 'vitest';
import { formatUsd, pricedSum } from '../../src/shared/money.js';
import { chartFigure, chartPace, type SpendChart } from '../../src/shared/spend-chart.js';

const chart = (spentUsd: number, unpriced: boolean): SpendChart => ({
  month: '2026-12', days: [], spentUsd, paceUsdPerDay: spentUsd / 2, projectedUsd: spentUsd * 15,
  budgetUsd: null, budgetPerDayUsd: null, topUsd: spentUsd, complete: true, unpriced,
});

describe('money, written the same way by the tray, the popover and rig', () => {
  it('shows cents, and says "<$0.01" for a spend under a cent instead of $0.00', () => {
    expect([formatUsd(4.2), formatUsd(0.004), formatUsd(0)]).toEqual(['$4.20', '<$0.01', '$0.00']);
  });

  it('words a sum with an unpriced run as a floor, or unknown when nothing was priced', () => {
    expect([pricedSum(4.2, false), pricedSum(4.2, true), pricedSum(0, true), pricedSum(0, false)]).toEqual(['$4.20', 'at least $4.20', 'unknown', '$0.00']);
  });

  it('words the spend chart\'s projection as a floor when the month so far is one, and its pace per day', () => {
    expect([chartFigure(chart(2, true), 30), chartPace(chart(2, true)), chartFigure(chart(0, true), 0), chartPace(chart(0, true))])
      .toEqual(['at least $30.00', 'at least $1.00/day', 'unknown', 'unknown']);
    expect([chartFigure(chart(2, false), 30), chartPace(chart(2, false))]).toEqual(['$30.00', '$1.00/day']);
  });
});
