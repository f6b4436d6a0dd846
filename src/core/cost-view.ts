// How cost reads on the app's surfaces (tray title and tooltip, popover): the rate and where its
// price came from, this session, this month, and what keeps billing while stopped. Pure: the
// numbers come from the cost meter (CostTracker) and the price catalog; this only words them.
import type { IdleStatus } from './idle-watchdog.js';
import type { StillCosting } from './still-costing.js';
import type { Snapshot } from '../shared/workstation.js';
import type { StillCostingView } from '../shared/views.js';
import type { Settings } from '../shared/settings.js';
import type { PriceSource } from './price-catalog.js';
import type { UnknownPrice } from './price-unknown.js';
import { formatHourly, formatUsd } from './format.js';
import { pricedSum } from '../shared/money.js';
import { sessionCostUsd } from './phase-view.js';
import { keepUpReasonText, localClockText, runtimeOffsetMinutes } from './keep-up-reason.js';

/** What the app knows about a workstation's cost at one moment. */
export interface CostFacts {
  /** The rate of the instance (or, before a launch, of the spec's type); null when unknown. */
  readonly hourlyUsd: number | null;
  readonly priceSource?: PriceSource | null;
  readonly market?: 'on-demand' | 'spot' | null;
  /** A bundled estimate's neighbour region; null or absent for a region's own price. */
  readonly priceEstimatedFrom?: string | null;
  /** Why the rate is unknown and the fix; null or absent when it is known (or not looked up yet). */
  readonly priceUnknown?: UnknownPrice | null;
  /**
   * The cost meter's figure for the current run (CostTracker.observe). Left out by callers without
   * a meter: then it is estimated as rate × uptime. Null: not known yet.
   */
  readonly sessionUsd?: number | null;
  /** This workstation's instance cost this UTC month; null or left out when not known. */
  readonly monthUsd?: number | null;
  /** False when the history starts inside the month, so earlier use is not counted. */
  readonly monthComplete?: boolean;
  /** True when a run this month has no known price: the month figure is only a floor. */
  readonly monthUnpriced?: boolean;
  /** What is kept (and billed) while stopped, from the last look; null when not looked up. */
  readonly stillCosting?: StillCosting | null;
  /** The instance's idle watchdog, as last asked over ssh; null when not asked (this run). */
  readonly idle?: IdleStatus | null;
}

/** Where a price came from, as the surfaces label it: "bundled", "live", "spot · live". */
export function priceSourceLabel(cost: CostFacts | null): string | null {
  if (cost?.hourlyUsd == null || cost.priceSource == null) return null;
  const source = cost.priceEstimatedFrom ? `${cost.priceSource}, estimated from ${cost.priceEstimatedFrom}` : cost.priceSource;
  return cost.market === 'spot' ? `spot · ${source}` : source;
}

/** Whether the rate is known to be unknown (the price was looked up and nobody had one). */
export function rateUnknown(cost: CostFacts | null): boolean {
  return cost?.hourlyUsd == null && cost?.priceUnknown != null;
}

/** An unknown rate in one sentence with its fix, for a popover line or a tooltip; null when known. */
export function priceUnknownText(cost: CostFacts | null): string | null {
  if (!rateUnknown(cost)) return null;
  const { reason, fix } = cost!.priceUnknown!;
  return `Rate unknown: ${reason}. To fix: ${fix}.`;
}

/** The rate with all its digits and where it comes from, e.g. for a tooltip. */
export function hourlyDetail(cost: CostFacts | null): string | null {
  if (cost?.hourlyUsd == null) return priceUnknownText(cost);
  const exact = `$${Number(cost.hourlyUsd.toFixed(4))} per hour`;
  const market = cost.market === 'spot' ? ' (spot)' : cost.market === 'on-demand' ? ' on demand' : '';
  const source = cost.priceSource === 'live'
    ? ', from the AWS price list'
    : cost.priceSource === 'bundled'
      ? cost.priceEstimatedFrom
        ? `, estimated from ${cost.priceEstimatedFrom}'s row of CloudRig's bundled price table (AWS's price list was not available)`
        : ", from CloudRig's bundled price table (AWS's price list was not available)"
      : '';
  return `${exact}${market}${source}`;
}

/**
 * This run's cost so far, while the instance runs (EC2 bills `running` only); null otherwise or
 * when unknown.
 */
export function sessionUsdOf(snapshot: Snapshot, cost: CostFacts | null, now: number): number | null {
  if (rateUnknown(cost)) return null;
  if (snapshot.instance?.state !== 'running') return null;
  if (cost === null) return null;
  if (cost.sessionUsd === undefined) return sessionCostUsd(snapshot, cost.hourlyUsd, now);
  return cost.sessionUsd;
}

/** This month's figure as shown, or null when not known. */
export function monthText(cost: CostFacts | null): string | null {
  if (cost?.monthUsd == null) return null;
  return pricedSum(cost.monthUsd, cost.monthUnpriced === true);
}

/** This session as shown while billed: dollars, "unknown" when the rate is unknown, null when not running. */
export function sessionText(snapshot: Snapshot, cost: CostFacts | null, now: number): string | null {
  if (snapshot.instance?.state !== 'running') return null;
  if (rateUnknown(cost)) return 'unknown';
  const usd = sessionUsdOf(snapshot, cost, now);
  return usd === null ? null : formatUsd(usd);
}

/** What the month figure covers. */
export function monthDetail(cost: CostFacts | null): string | null {
  if (cost?.monthUsd == null) return null;
  if (cost.monthUnpriced === true) return "Instance time this month (UTC) that has a price; a run whose rate is unknown is not counted.";
  return cost.monthComplete === false
    ? 'Instance time this month (UTC) since CloudRig started recording it; earlier use is not counted.'
    : 'Instance time this month (UTC).';
}

/** The "still costing you" list as the popover shows it; null when there is nothing kept. */
export function stillCostingView(costing: StillCosting | null | undefined, hasInstance: boolean): StillCostingView | null {
  if (!costing || costing.items.length === 0) return null;
  return {
    total: `${formatUsd(costing.monthlyUsd)}/month`,
    items: costing.items.map((item) => ({ label: item.label, monthly: `${formatUsd(item.monthlyUsd)}/month` })),
    source: costing.source,
    hint: hasInstance
      ? `Billed while stopped (${costing.source} prices). Terminating removes the disk; delete saved images you no longer need.`
      : `Billed with no instance running (${costing.source} prices). Delete saved images you no longer need.`,
  };
}

/** The on-instance auto-stop in a line: its limit, and how long the machine has been idle. */
export function autoStopText(snapshot: Snapshot, settings: Settings, idle: IdleStatus | null | undefined, now: number): string | null {
  const spec = settings.workstations[snapshot.name];
  if (!spec) return null;
  if (!spec.autoStop.enabled) return 'Idle auto-stop is off';
  const limit = spec.autoStop.idleMinutes;
  if (snapshot.instance?.state !== 'running' || !idle) return `Stops itself after ${limit} idle min`;
  if (idle.keptAwakeUntil !== null) return `Kept alive until ${localClockText(idle.keptAwakeUntil, now, runtimeOffsetMinutes)} (snoozed); then stops itself after ${limit} idle min`;
  // No idle time: in use (the watchdog says by what, when it has), or it has not looked yet.
  if (idle.idleSince === null) return idle.keptUpBy ? `Kept up: ${keepUpReasonText(idle.keptUpBy, now)}; stops itself after ${limit} idle min` : `Stops itself after ${limit} idle min`;
  const minutes = Math.floor(Math.max(0, now - idle.idleSince) / 60_000);
  return `Idle ${minutes} min; stops itself at ${limit} min`;
}

/** The rate for the tray, when the instance is billed: `$0.53/h`. */
export function hourlyText(cost: CostFacts | null): string | null {
  if (rateUnknown(cost)) return 'rate unknown';
  return cost?.hourlyUsd == null ? null : formatHourly(cost.hourlyUsd);
}
