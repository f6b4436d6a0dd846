// What the app knows about the whole fleet: every workstation's latest snapshot (one
// DescribeInstances per region per poll), the rates of those not shown, the spend chart, and the
// forgotten-instance watch over the rest of the account.
import type { SpendChart } from '../../shared/spend-chart.js';
import type { ElsewhereView } from '../../shared/forgotten.js';
import type { Snapshot } from '../../shared/workstation.js';
import type { CostFacts } from '../cost-view.js';
import { toErrorInfo } from '../errors.js';
import type { AppLoops } from './app-loops.js';
import type { ElsewhereWatch } from './elsewhere.js';
import type { FleetWatch } from './fleet-watch.js';
import type { OpenUrl } from './app-tunnels.js';
import type { Rig } from './rig.js';
import type { Notifier } from './shell-ports.js';

/** What the fleet part reads from, and reports to, the session that owns it. */
export interface AppFleetHost {
  /** The use cases, as the session's façade is now (built again when the profile or keys change). */
  rig(): Rig;
  readonly loops: AppLoops;
  readonly notifier: Notifier;
  readonly openExternal?: OpenUrl;
  changed(): void;
  log(line: string): void;
  /** The account sweep after an instance scan is over (at start, then hourly), answered or not. */
  swept?(): void;
}

/**
 * Polls every workstation together and keeps their latest snapshots and rates; reads the run
 * histories for the spend chart; runs the forgotten-instance scan. Started again on a rebuilt core.
 */
export class AppFleet {
  private watch: FleetWatch | null = null;
  private elsewhere: ElsewhereWatch | null = null;
  /** The latest snapshot of every workstation, the current one included. */
  private readonly snapshots = new Map<string, Snapshot>();
  /** The hourly rate of each workstation other than the current one (the monitor keeps the current one's). */
  private readonly rates = new Map<string, number | null>();
  private chart: SpendChart | null = null;

  constructor(private readonly host: AppFleetHost) {}

  /** Polls every workstation, and scans the account for instances CloudRig did not start. */
  start(): void {
    this.watch = this.host.loops.fleetWatch();
    this.watch.start();
    this.elsewhere = this.host.loops.elsewhere({
      notifier: this.host.notifier,
      openExternal: this.host.openExternal,
      changed: () => this.host.changed(),
      log: (line) => this.host.log(line),
      swept: () => this.host.swept?.(),
    });
    this.elsewhere.start();
    this.refreshChart();
  }

  /** Stops polling and scanning, forgets every snapshot and rate. */
  async stop(): Promise<void> {
    const watch = this.watch;
    const elsewhere = this.elsewhere;
    this.watch = null;
    this.elsewhere = null;
    this.snapshots.clear();
    this.rates.clear();
    await Promise.all([watch?.dispose(), elsewhere?.dispose()]);
  }

  /** Polls now: every workstation, one call per region. */
  refreshNow(): void {
    this.watch?.refreshNow();
  }

  /** Takes a new snapshot; returns the one it replaces. */
  note(snapshot: Snapshot): Snapshot | undefined {
    const before = this.snapshots.get(snapshot.name);
    this.snapshots.set(snapshot.name, snapshot);
    return before;
  }

  get(name: string): Snapshot | null {
    return this.snapshots.get(name) ?? null;
  }

  /** Every workstation's latest snapshot. */
  all(): Snapshot[] {
    return [...this.snapshots.values()];
  }

  /** Whether any workstation has an instance (cost grows, reminders come due). */
  anyInstance(): boolean {
    return this.all().some((snapshot) => snapshot.instance);
  }

  /** Reads the run histories again for the spend chart (no AWS call). */
  refreshChart(): void {
    const rig = this.host.rig();
    // The same spend as `rig cost` prints (cost.ts).
    rig.cost.spend().then(
      (chart) => {
        if (rig !== this.host.rig()) return;
        this.chart = chart;
        this.host.changed();
      },
      (error: unknown) => this.host.log(`could not read the run history: ${toErrorInfo(error).message}`),
    );
  }

  /** Looks up the rate of a workstation other than the current one, for the fleet's tray and total. */
  noteRate(snapshot: Snapshot): void {
    const rig = this.host.rig();
    let rate;
    try {
      rate = rig.cost.rate(snapshot.name, snapshot.instance);
    } catch {
      return;
    }
    rate.then(
      (rate) => {
        if (rig !== this.host.rig() || this.rates.get(snapshot.name) === (rate?.usd ?? null)) return;
        this.rates.set(snapshot.name, rate?.usd ?? null);
        this.host.changed();
      },
      (error: unknown) => this.host.log(`no rate for ${snapshot.name}: ${toErrorInfo(error).message}`),
    );
  }

  /** Cost facts per workstation: the rate alone for each, the current one's in full (the monitor's). */
  costs(current: string | null, facts: CostFacts): Map<string, CostFacts | null> {
    const costs = new Map<string, CostFacts | null>();
    for (const [name, usd] of this.rates) costs.set(name, { hourlyUsd: usd });
    if (current !== null) costs.set(current, facts);
    return costs;
  }

  spendChart(): SpendChart | null {
    return this.chart;
  }

  elsewhereView(): ElsewhereView | null {
    return this.elsewhere?.view() ?? null;
  }

  async dismissForgotten(instanceId: string): Promise<void> {
    await this.elsewhere?.dismiss(instanceId);
  }

  async openForgottenInConsole(instanceId: string): Promise<void> {
    await this.elsewhere?.openInConsole(instanceId);
  }

  async scanElsewhere(): Promise<void> {
    await this.elsewhere?.scanNow();
  }

  async elsewhereSettled(): Promise<void> {
    await this.elsewhere?.settled();
  }
}
