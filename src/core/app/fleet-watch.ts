// Every workstation in the settings, watched together: one DescribeInstances per region per poll
// (a tag filter over the names of the region's workstations), never one per workstation. Each
// workstation's snapshot still comes from WorkstationService.refresh (ssh readiness, duplicates,
// operations in flight), fed with its share of the region's answer.
import type { InstanceFacts, Snapshot } from '../../shared/workstation.js';
import { Emitter } from '../emitter.js';
import { offlinePollDelay, POLL } from '../poll-policy.js';
import type { Clock, Cloud } from '../ports.js';
import type { WorkstationService } from '../workstation-service.js';

/** What the fleet watch needs: the service that makes snapshots, the gateways and the time. */
export interface FleetWatchDeps {
  readonly service: WorkstationService;
  readonly cloud: Pick<Cloud, 'gateway'>;
  readonly clock: Clock;
}

/** One poll's outcome: every workstation's snapshot, in the settings' order. */
export interface FleetPoll {
  readonly snapshots: readonly Snapshot[];
  /** The regions asked, each once. */
  readonly regions: readonly string[];
}

/** The workstation names per region, in the settings' order. */
export function namesByRegion(specs: ReadonlyArray<{ readonly name: string; readonly region: string }>): ReadonlyMap<string, readonly string[]> {
  const byRegion = new Map<string, string[]>();
  for (const spec of specs) {
    const names = byRegion.get(spec.region);
    if (names) names.push(spec.name);
    else byRegion.set(spec.region, [spec.name]);
  }
  return byRegion;
}

/**
 * How long until the next poll: the soonest any workstation wants (a transition polls fast), and
 * while AWS cannot be reached, backing off as offlinePollDelay says.
 */
export function fleetDelay(delays: readonly number[], failuresInARow: number): number {
  const usual = delays.length === 0 ? POLL.steady : Math.min(...delays);
  return failuresInARow > 0 ? offlinePollDelay(usual, failuresInARow) : usual;
}

/** Keeps every workstation's snapshot fresh with one call per region per poll. */
export class FleetWatch {
  private readonly polled = new Emitter<FleetPoll>();
  private wake = new AbortController();
  private stopped = new AbortController();
  private loop: Promise<void> | null = null;
  private forceNext = false;
  private failures = 0;

  /** Fires after each poll with every workstation's snapshot (each also fires the service's onDidChange). */
  readonly onDidPoll = this.polled.event;

  constructor(private readonly deps: FleetWatchDeps) {}

  /**
   * Asks EC2 once per region about every workstation and returns their snapshots. `probeSsh`
   * false leaves ssh alone (the caller probes with `probeReady`).
   */
  async poll(options: { force?: boolean; probeSsh?: boolean } = {}): Promise<FleetPoll> {
    const { service } = this.deps;
    const specs = service.names().map((name) => service.spec(name));
    const byRegion = namesByRegion(specs);
    // A workstation whose refresh only probes ssh now (running, ssh not answering yet) is not asked
    // about; a region none of whose workstations needs EC2 now is not asked at all.
    const describing = new Set(specs.filter((spec) => service.needsDescribe(spec.name, options.force)).map((spec) => spec.name));
    const found = new Map<string, Promise<InstanceFacts[]>>();
    for (const [region, names] of byRegion) {
      if (!names.some((name) => describing.has(name))) continue;
      const answer = this.deps.cloud.gateway(region).findFleetInstances(names);
      // Each workstation's refresh awaits its share; a failure is theirs to report (offline view), not unhandled here.
      answer.catch(() => undefined);
      for (const name of names) found.set(name, answer.then((all) => all.get(name) ?? []));
    }
    const snapshots = await Promise.all(specs.map((spec) =>
      service.refresh(spec.name, { force: options.force, probeSsh: options.probeSsh, found: found.get(spec.name), describe: found.has(spec.name) })));
    const result = { snapshots, regions: [...byRegion.keys()].filter((region) => byRegion.get(region)!.some((name) => found.has(name))) };
    this.polled.fire(result);
    return result;
  }

  /** Starts polling until disposed. */
  start(): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.loop = this.run();
  }

  /** Polls now instead of at the next turn (a click, resume, a change made by `rig`). */
  refreshNow(): void {
    this.forceNext = true;
    this.wake.abort();
  }

  /** Stops polling and waits for a poll in flight to end. */
  async dispose(): Promise<void> {
    this.stopped.abort();
    this.wake.abort();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      this.wake = new AbortController();
      const force = this.forceNext;
      this.forceNext = false;
      // A bad settings file is not fatal to the loop: look again at the steady pace.
      const result = await this.poll({ force }).catch(() => null);
      if (this.stopped.signal.aborted) break;
      const snapshots = result?.snapshots ?? [];
      const offline = snapshots.length > 0 && snapshots.every((s) => s.error?.code === 'EndpointUnreachable');
      this.failures = offline ? this.failures + 1 : 0;
      const delay = fleetDelay(snapshots.map((s) => this.deps.service.nextDelay(s)), this.failures);
      await this.deps.clock.sleep(delay, AbortSignal.any([this.wake.signal, this.stopped.signal]));
    }
  }
}
