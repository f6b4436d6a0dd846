import type { SpendChart } from '../../shared/spend-chart.js';
import type { InstanceFacts, Snapshot } from '../../shared/workstation.js';
import type { CostReport } from '../cost-tracker.js';
import { budgetUncheckedText } from '../price-unknown.js';
import { spendChart } from '../spend-chart.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { FleetWatch } from './fleet-watch.js';

/** One workstation's cost now, as `rig status` shows it. */
export interface WorkstationCostNow {
  readonly hourlyUsd: number | null;
  readonly priceSource: string | null;
  readonly market: string | null;
  /** A bundled estimate's neighbour region; null for a region's own price. */
  readonly priceEstimatedFrom: string | null;
  /** Why the rate is unknown (null when known): never a silent zero. */
  readonly priceUnknownReason: string | null;
  /** What makes an unknown rate known. */
  readonly priceUnknownFix: string | null;
  /** Null while it runs at an unknown rate; 0 when not running. */
  readonly sessionUsd: number | null;
  /** The month's priced runs; a floor when `monthComplete` is false or `monthUnpriced` is true. */
  readonly monthUsd: number;
  readonly monthComplete: boolean;
  readonly monthUnpriced: boolean;
  /** Set when a budget is configured and cannot be checked because a rate is unknown. */
  readonly budgetWarning: string | null;
  readonly idleStopMinutes: number | null;
  /** While stopped: what its disk costs a month (the only charge left), its size and the price's source. */
  readonly disk: { readonly sizeGiB: number; readonly monthlyUsd: number; readonly priceSource: string } | null;
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** The cost of the workstation in this snapshot: its rate, this session and this month (the run history is updated). */
export async function workstationCost(core: CloudRigCore, snapshot: Snapshot): Promise<WorkstationCostNow> {
  const spec = core.service.spec(snapshot.name);
  const cost = await core.costs.observe(spec, snapshot.instance, core.clock.now());
  const reminders = core.settings.read().reminders;
  // A budget is blind to a run it cannot price: say so rather than stay silent.
  const budgetWarning = budgetUncheckedText({
    monthlyUsd: cost.monthUnpriced ? reminders.monthlyBudgetUsd : null,
    sessionUsd: cost.sessionUsd === null ? reminders.sessionBudgetUsd : null,
  }, [snapshot.name]);
  return {
    hourlyUsd: cost.hourlyUsd,
    priceSource: cost.priceSource,
    market: cost.market,
    priceEstimatedFrom: cost.priceEstimatedFrom,
    priceUnknownReason: cost.priceUnknown?.reason ?? null,
    priceUnknownFix: cost.priceUnknown?.fix ?? null,
    sessionUsd: cost.sessionUsd === null ? null : round(cost.sessionUsd),
    monthUsd: round(cost.monthUsd),
    monthComplete: cost.monthComplete,
    monthUnpriced: cost.monthUnpriced,
    budgetWarning,
    idleStopMinutes: cost.idleStopMinutes,
    disk: snapshot.instance?.state === 'stopped' ? await diskCost(core, spec.region, spec.diskGiB) : null,
  };
}

async function diskCost(core: CloudRigCore, region: string, sizeGiB: number): Promise<WorkstationCostNow['disk']> {
  const { gp3GbMonth } = await core.prices.storage(region);
  return { sizeGiB, monthlyUsd: round(sizeGiB * gp3GbMonth.usd), priceSource: gp3GbMonth.source };
}

/** The cost report: this month per workstation, what keeps costing while stopped, and the month's daily spend as a chart. */
export async function costReport(core: CloudRigCore): Promise<CostReport & { readonly budgetWarning: string | null; readonly chart: SpendChart }> {
  const specs = core.service.names().map((name) => core.service.spec(name));
  const instances = new Map<string, InstanceFacts | null>();
  // Every workstation in one DescribeInstances per region.
  const { snapshots } = await new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock }).poll();
  for (const snapshot of snapshots) {
    instances.set(snapshot.name, snapshot.instance);
    await core.costs.observe(core.service.spec(snapshot.name), snapshot.instance, core.clock.now());
  }
  const now = core.clock.now();
  const report = await core.costs.report(specs, instances, now);
  const reminders = core.settings.read().reminders;
  const chart = spendChart(await core.costs.histories(), now, reminders.monthlyBudgetUsd);
  const blind = report.workstations.filter((w) => w.monthUnpriced || w.sessionUsd === null);
  const budgetWarning = budgetUncheckedText({
    monthlyUsd: report.monthUnpriced ? reminders.monthlyBudgetUsd : null,
    sessionUsd: report.workstations.some((w) => w.sessionUsd === null) ? reminders.sessionBudgetUsd : null,
  }, blind.map((w) => w.name));
  return { ...report, budgetWarning, chart };
}
