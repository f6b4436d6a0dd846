// What CloudRig costs, for both faces: `rig cost` and `rig status`, and the tray app's popover
// (its spend chart and budget line, the rates of the fleet, the "still costing you" list) and its
// monitor (the meter and the global monthly budget). Every question about money goes through here;
// the cost tracker behind it is no face's to call.
import type { SpendChart } from '../../shared/spend-chart.js';
import type { InstanceFacts, Snapshot } from '../../shared/workstation.js';
import type { CostReport, CostStatus } from '../cost-tracker.js';
import type { HourlyRate } from '../price-catalog.js';
import type { StillCosting } from '../still-costing.js';
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

/** `rig cost`'s report: this month per workstation, what keeps costing while stopped, and the spend chart. */
export type CostReportWithChart = CostReport & { readonly budgetWarning: string | null; readonly chart: SpendChart };

/** The cost use cases over one core. */
export class CostUseCases {
  constructor(private readonly core: CloudRigCore) {}

  /** Folds a look at a workstation's instance into its run history (the meter); returns its cost now. */
  meter(name: string, instance: InstanceFacts | null, now: number = this.core.clock.now()): Promise<CostStatus> {
    return this.core.costs.observe(this.core.service.spec(name), instance, now);
  }

  /** The cost of the workstation in this snapshot: its rate, this session and this month (the run history is updated). */
  async now(snapshot: Snapshot): Promise<WorkstationCostNow> {
    const core = this.core;
    const spec = core.service.spec(snapshot.name);
    const cost = await this.meter(snapshot.name, snapshot.instance);
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
      disk: snapshot.instance?.state === 'stopped' ? await this.diskCost(spec.region, spec.diskGiB) : null,
    };
  }

  private async diskCost(region: string, sizeGiB: number): Promise<WorkstationCostNow['disk']> {
    const { gp3GbMonth } = await this.core.prices.storage(region);
    return { sizeGiB, monthlyUsd: round(sizeGiB * gp3GbMonth.usd), priceSource: gp3GbMonth.source };
  }

  /**
   * This month's spend as a chart, with its projection and budget line, from the run histories
   * alone (no AWS call): what `rig cost` prints and the popover draws.
   */
  async spend(now: number = this.core.clock.now()): Promise<SpendChart> {
    return spendChart(await this.core.costs.histories(), now, this.core.settings.read().reminders.monthlyBudgetUsd);
  }

  /** This month's spend of every workstation but `name`, from the run histories alone: the monthly budget is global. */
  othersMonth(name: string, now: number): Promise<{ readonly usd: number; readonly unpriced: boolean }> {
    return this.core.costs.monthSpend(now, { except: name });
  }

  /** The workstation's rate now: of its instance when there is one, else of its spec; an unknown name throws at once. */
  rate(name: string, instance: InstanceFacts | null): Promise<HourlyRate | null> {
    return this.core.costs.rateOf(this.core.service.spec(name), instance);
  }

  /** What one workstation keeps billing while stopped (its volumes, images, snapshots, addresses); an unknown name throws at once. */
  stillCosting(name: string, instance: InstanceFacts | null): Promise<StillCosting | null> {
    const spec = this.core.service.spec(name);
    return this.core.costs.report([spec], new Map([[name, instance]]), this.core.clock.now())
      .then((report) => report.workstations.find((w) => w.name === name)?.stillCosting ?? null);
  }

  /** The cost report: this month per workstation, what keeps costing while stopped, and the month's daily spend as a chart. */
  async report(): Promise<CostReportWithChart> {
    const core = this.core;
    const specs = core.service.names().map((name) => core.service.spec(name));
    const instances = new Map<string, InstanceFacts | null>();
    // Every workstation in one DescribeInstances per region.
    const { snapshots } = await new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock }).poll();
    for (const snapshot of snapshots) {
      instances.set(snapshot.name, snapshot.instance);
      await this.meter(snapshot.name, snapshot.instance);
    }
    const now = core.clock.now();
    const report = await core.costs.report(specs, instances, now);
    const reminders = core.settings.read().reminders;
    const chart = await this.spend(now);
    const blind = report.workstations.filter((w) => w.monthUnpriced || w.sessionUsd === null);
    const budgetWarning = budgetUncheckedText({
      monthlyUsd: report.monthUnpriced ? reminders.monthlyBudgetUsd : null,
      sessionUsd: report.workstations.some((w) => w.sessionUsd === null) ? reminders.sessionBudgetUsd : null,
    }, blind.map((w) => w.name));
    return { ...report, budgetWarning, chart };
  }
}
