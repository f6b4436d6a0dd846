// Glue between the cost pieces, so each surface asks one object: the price of the workstation's
// instance (catalog), the persisted runs (history store), and what bills while stopped (kept
// resources). The decisions stay in the pure functions of cost-meter.ts.
import type { InstanceFacts, WorkstationSpec } from '../shared/workstation.js';
import {
  costSummary,
  monthCost,
  observeRun,
  sessionCost,
  utcMonthKey,
  type RunHistory,
  type RunHistoryStore,
} from './cost-meter.js';
import { stillCosting, type KeptResources, type StillCosting } from './still-costing.js';
import { hourlyRateOf, type HourlyRate, type PriceCatalog, type PriceSource } from './price-catalog.js';
import { unknownPrice, type UnknownPrice } from './price-unknown.js';

/** Finds what a workstation keeps in AWS (volumes, images, snapshots, addresses). */
export interface KeptResourcesSource {
  list(region: string, workstation: string, instanceId: string | null): Promise<KeptResources>;
}

/** The cost fields of `rig status --json` and the tray. */
export interface CostStatus {
  /** The instance's rate (spot or on-demand), or the spec's type before launch; null when unknown. */
  readonly hourlyUsd: number | null;
  readonly priceSource: PriceSource | null;
  readonly market: HourlyRate['market'] | null;
  /** The neighbour region a bundled estimate was taken from; null for a region's own price. */
  readonly priceEstimatedFrom: string | null;
  /** Why the rate is unknown and how to make it known; null when it is known. */
  readonly priceUnknown: UnknownPrice | null;
  /** The current run's cost; 0 when not running; null when it runs at an unknown rate. */
  readonly sessionUsd: number | null;
  /** This UTC month's instance cost of this workstation (its priced runs: a floor with `monthUnpriced`). */
  readonly monthUsd: number;
  /** False when the history starts inside the month (rebuilt from AWS): the month may be higher. */
  readonly monthComplete: boolean;
  /** True when a run this month has no known price: `monthUsd` leaves it out. */
  readonly monthUnpriced: boolean;
  /** The on-instance watchdog's idle limit; null when auto-stop is off. */
  readonly idleStopMinutes: number | null;
}

/** One workstation's line in `rig cost`. */
export interface WorkstationCost {
  readonly name: string;
  readonly monthUsd: number;
  readonly monthComplete: boolean;
  /** True when a run this month has no known price: `monthUsd` leaves it out. */
  readonly monthUnpriced: boolean;
  readonly running: boolean;
  /** 0 when not running; null when it runs at an unknown rate. */
  readonly sessionUsd: number | null;
  /** Why the running instance's rate is unknown; null when known or not running. */
  readonly priceUnknown: UnknownPrice | null;
  readonly stillCosting: StillCosting | null;
}

/** What `rig cost` shows. */
export interface CostReport {
  /** `2026-11` (UTC). */
  readonly month: string;
  readonly workstations: readonly WorkstationCost[];
  readonly monthUsd: number;
  /** True when a run this month has no known price: `monthUsd` is only a floor. */
  readonly monthUnpriced: boolean;
  /** Monthly cost of everything kept while stopped, across workstations. */
  readonly stillCostingMonthlyUsd: number;
}

/** Writing the history only when it changed, or once a minute while running, keeps disk writes rare. */
const LAST_SEEN_WRITE_MS = 60_000;

/** Keeps run histories up to date and answers the cost questions of the app and the CLI. */
export class CostTracker {
  constructor(
    private readonly catalog: PriceCatalog,
    private readonly runs: RunHistoryStore,
    private readonly kept: KeptResourcesSource | null = null,
  ) {}

  /** The workstation's rate now: of its instance when there is one, else of its spec. */
  async rateOf(spec: WorkstationSpec, facts: InstanceFacts | null): Promise<HourlyRate | null> {
    return hourlyRateOf(this.catalog, {
      region: spec.region,
      instanceType: facts?.instanceType || spec.instanceType,
      spot: facts?.spot ?? spec.spot,
      availabilityZone: facts?.availabilityZone ?? null,
    });
  }

  /** Folds a fresh look at the instance into the persisted runs; returns the status fields. */
  async observe(spec: WorkstationSpec, facts: InstanceFacts | null, now: number): Promise<CostStatus> {
    const rate = await this.rateOf(spec, facts);
    const observation = { facts, rate: rate === null ? null : { usd: rate.usd, source: rate.source }, now };
    const current = await this.runs.read(spec.name);
    let history = observeRun(current, spec.name, observation);
    if (changed(current, history)) {
      history = await this.runs.update(spec.name, (latest) => observeRun(latest, spec.name, observation));
    }
    const summary = costSummary(history, now);
    const type = facts?.instanceType || spec.instanceType;
    return {
      hourlyUsd: rate?.usd ?? null,
      priceSource: rate?.source ?? null,
      market: rate?.market ?? null,
      priceEstimatedFrom: rate?.estimatedFrom ?? null,
      priceUnknown: rate === null ? unknownPrice(spec.region, type, this.catalog.pricingProblem?.(spec.region, type) ?? null) : null,
      sessionUsd: summary.sessionUsd,
      monthUsd: summary.monthUsd,
      monthComplete: summary.monthComplete,
      monthUnpriced: summary.monthUnpriced,
      idleStopMinutes: spec.autoStop.enabled ? spec.autoStop.idleMinutes : null,
    };
  }

  /** Every workstation's run history (the spend chart draws them). */
  histories(): Promise<RunHistory[]> {
    return this.runs.list();
  }

  /**
   * This UTC month's instance cost of every workstation, from the run histories alone (no AWS
   * call), leaving out `except` when given: the monitor's budget is global, its own workstation's
   * part comes from `observe`.
   */
  async monthSpend(now: number, options: { readonly except?: string } = {}): Promise<{ readonly usd: number; readonly unpriced: boolean }> {
    const months = (await this.runs.list()).filter((h) => h.workstation !== options.except).map((h) => monthCost(h, now));
    return { usd: months.reduce((sum, m) => sum + m.usd, 0), unpriced: months.some((m) => m.unpriced) };
  }

  /** This month per workstation, and what each keeps billing while stopped. */
  async report(
    specs: readonly WorkstationSpec[],
    instances: ReadonlyMap<string, InstanceFacts | null>,
    now: number,
  ): Promise<CostReport> {
    const histories = new Map((await this.runs.list()).map((h) => [h.workstation, h] as const));
    const names = [...new Set([...specs.map((s) => s.name), ...histories.keys()])].sort();
    const workstations = await Promise.all(names.map(async (name): Promise<WorkstationCost> => {
      const history = histories.get(name) ?? null;
      const month = monthCost(history, now);
      const session = sessionCost(history, now);
      const spec = specs.find((s) => s.name === name);
      const facts = instances.get(name) ?? null;
      let costing: StillCosting | null = null;
      if (spec !== undefined && this.kept !== null) {
        const kept = await this.kept.list(spec.region, name, facts?.instanceId ?? null);
        costing = stillCosting(kept, await this.catalog.storage(spec.region));
      }
      const running = session?.running ?? false;
      const type = facts?.instanceType || spec?.instanceType;
      const region = spec?.region;
      const unpricedRun = running && session?.usd === null && type !== undefined && region !== undefined;
      return {
        name,
        monthUsd: month.usd,
        monthComplete: month.complete,
        monthUnpriced: month.unpriced,
        running,
        sessionUsd: running ? (session?.usd ?? null) : 0,
        priceUnknown: unpricedRun ? unknownPrice(region, type, this.catalog.pricingProblem?.(region, type) ?? null) : null,
        stillCosting: costing,
      };
    }));
    return {
      month: utcMonthKey(now),
      workstations,
      monthUsd: workstations.reduce((sum, w) => sum + w.monthUsd, 0),
      monthUnpriced: workstations.some((w) => w.monthUnpriced),
      stillCostingMonthlyUsd: workstations.reduce((sum, w) => sum + (w.stillCosting?.monthlyUsd ?? 0), 0),
    };
  }
}

function changed(before: RunHistory | null, after: RunHistory): boolean {
  if (before === null || before.intervals.length !== after.intervals.length) return true;
  return after.intervals.some((interval, index) => {
    const old = before.intervals[index]!;
    return (
      old.instanceId !== interval.instanceId ||
      old.startedAt !== interval.startedAt ||
      old.endedAt !== interval.endedAt ||
      old.hourlyUsd !== interval.hourlyUsd ||
      old.priceSource !== interval.priceSource ||
      interval.lastSeenAt - old.lastSeenAt >= LAST_SEEN_WRITE_MS
    );
  });
}
