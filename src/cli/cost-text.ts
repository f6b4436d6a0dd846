// How `rig status` and `rig cost` word money: a known rate with where its price came from, and an
// unknown one as "unknown" with why and the fix, never as $0.00.
import type { StatusCost } from './status-json.js';
import { formatHourly } from '../shared/hourly-rate.js';
import { formatUsd, pricedSum } from '../shared/money.js';


/** Where a price came from, e.g. "bundled price, estimated from eu-central-1". */
function sourceText(cost: StatusCost): string {
  if (typeof cost.priceSource !== 'string') return '';
  const estimate = typeof cost.priceEstimatedFrom === 'string' ? `, estimated from ${cost.priceEstimatedFrom}` : '';
  return ` (${cost.priceSource} price${estimate})`;
}

/**
 * `rig status`'s cost lines: the rate, this session and this month; with an unknown rate, why and
 * the fix; and a budget that cannot be checked. Empty when the cost side added nothing.
 */
export function statusCostLines(cost: StatusCost, running: boolean): string[] {
  const lines: string[] = [];
  const session = !running
    ? ''
    : cost.sessionUsd === null ? ' · this session unknown' : typeof cost.sessionUsd === 'number' ? ` · this session ${formatUsd(cost.sessionUsd)}` : '';
  const month = typeof cost.monthUsd === 'number' ? ` · this month ${pricedSum(cost.monthUsd, cost.monthUnpriced === true)}` : '';
  if (typeof cost.hourlyUsd === 'number') {
    lines.push(`Cost: ${formatHourly(cost.hourlyUsd, 'compare')}${sourceText(cost)}${session}${month}`);
  } else if (typeof cost.priceUnknownReason === 'string') {
    lines.push(`Cost: rate unknown — ${cost.priceUnknownReason}${session}${month}`);
    if (typeof cost.priceUnknownFix === 'string') lines.push(`Fix: ${cost.priceUnknownFix}.`);
  }
  if (typeof cost.budgetWarning === 'string') lines.push(`Warning: ${cost.budgetWarning}.`);
  return lines;
}

/** A phase in words for `rig status` (`--json` keeps the phase names). */
export function phaseText(phase: string): string {
  return phase === 'absent' ? 'no instance' : phase;
}

/**
 * `rig status`'s cost lines for a workstation that runs nothing: stopped, what its disk costs a
 * month and the rate a start brings back; with no instance, what a start would cost.
 */
export function idleStateLines(state: 'stopped' | 'absent', cost: StatusCost, hourlyUsd: number | null): string[] {
  const rate = typeof hourlyUsd === 'number' ? formatHourly(hourlyUsd, 'compare') : null;
  const month = typeof cost.monthUsd === 'number' && cost.monthUsd > 0 ? [`This month: ${pricedSum(cost.monthUsd, cost.monthUnpriced === true)}.`] : [];
  if (state === 'absent') {
    return [rate === null ? 'A start launches one (its rate is unknown here).' : `A start launches one at ${rate}${sourceText(cost)}.`, ...month];
  }
  const disk = cost.disk
    ? `its ${cost.disk.sizeGiB} GiB disk costs about ${formatUsd(cost.disk.monthlyUsd)}/month (${cost.disk.priceSource} price)`
    : 'its disk still bills while it is kept';
  const start = rate === null ? '' : ` \`rig up\` starts it at ${rate}.`;
  return [`Stopped: no instance charge; ${disk}.${start}`, ...month];
}
