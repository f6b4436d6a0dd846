import type { InstanceFacts, Snapshot } from '../../shared/workstation.js';
import type { CostReport } from '../cost-tracker.js';
import type { CloudRigCore } from './cloudrig-core.js';

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

/** The cost report: this month per workstation (each asked of AWS first), and what keeps costing while stopped. */
export async function costReport(core: CloudRigCore): Promise<CostReport> {
  const specs = core.service.names().map((name) => core.service.spec(name));
  const instances = new Map<string, InstanceFacts | null>();
  for (const spec of specs) {
    const snapshot = await core.service.refresh(spec.name);
    instances.set(spec.name, snapshot.instance);
    await core.costs.observe(spec, snapshot.instance, core.clock.now());
  }
  return core.costs.report(specs, instances, core.clock.now());
}
