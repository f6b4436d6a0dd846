import type { SpendChart } from '../../shared/spend-chart.js';
import type { InstanceFacts, Snapshot } from '../../shared/workstation.js';
import type { CostReport } from '../cost-tracker.js';
import { spendChart } from '../spend-chart.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { FleetWatch } from './fleet-watch.js';

/** One workstation's cost now, as `rig status` shows it. */
export interface WorkstationCostNow {
  readonly hourlyUsd: number | null;
  readonly priceSource: string | null;
  readonly market: string | null;
  readonly sessionUsd: number;
  readonly monthUsd: number;
  readonly monthComplete: boolean;
  readonly idleStopMinutes: number | null;
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** The cost of the workstation in this snapshot: its rate, this session and this month (the run history is updated). */
export async function workstationCost(core: CloudRigCore, snapshot: Snapshot): Promise<WorkstationCostNow> {
  const spec = core.service.spec(snapshot.name);
  const cost = await core.costs.observe(spec, snapshot.instance, core.clock.now());
  return {
    hourlyUsd: cost.hourlyUsd,
    priceSource: cost.priceSource,
    market: cost.market,
    sessionUsd: round(cost.sessionUsd),
    monthUsd: round(cost.monthUsd),
    monthComplete: cost.monthComplete,
    idleStopMinutes: cost.idleStopMinutes,
  };
}

/** The cost report: this month per workstation, what keeps costing while stopped, and the month's daily spend as a chart. */
export async function costReport(core: CloudRigCore): Promise<CostReport & { readonly chart: SpendChart }> {
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
  const chart = spendChart(await core.costs.histories(), now, core.settings.read().reminders.monthlyBudgetUsd);
  return { ...report, chart };
}
