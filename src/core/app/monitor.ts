import type { Snapshot } from '../../shared/workstation.js';
import type { Reminders } from '../../shared/settings.js';
import type { CostStatus } from '../cost-tracker.js';
import type { CostFacts } from '../cost-view.js';
import {
  archiveDue,
  budgetStopDue,
  pendingReminder,
  reminderInputOf,
  runKey,
  type OpenReminder,
} from '../cost-watch.js';
import { toErrorInfo } from '../errors.js';
import type { IdleStatus } from '../idle-watchdog.js';
import { reminderNotification, type NotificationModel } from '../notification-policy.js';
import { evaluateFleetReminders } from '../fleet-reminders.js';
import type { StatsIdle } from '../stats-idle.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { archiveReminderOptions } from './archive.js';
import { CostUseCases } from './cost.js';
import { IdleAnswers } from './idle-answers.js';
import { StillCostingLookup } from './still-costing-lookup.js';

/** What the monitor reads from, and reports to, the session that owns it. */
export interface MonitorHost {
  core(): CloudRigCore;
  /** The workstation being watched. */
  watched(): string | null;
  /** Its latest snapshot. */
  snapshot(): Snapshot | null;
  /** The snapshot as shown (with the last operation's error). */
  effective(): Snapshot | null;
  reminderSettings(): Reminders;
  /** Whether a stop of this workstation is already under way. */
  stopping(name: string): boolean;
  /** Stops this workstation (its budget cap was reached). */
  stop(name: string): void;
  /** Archives this workstation (automatic archive, a day after its notice); absent: never archived from here. */
  archive?(name: string): void;
  /** The latest snapshots of the other workstations (the fleet); none when left out. */
  others?(): readonly Snapshot[];
  notify(notification: NotificationModel, reminder: OpenReminder | null): void;
  changed(): void;
  log(line: string): void;
  /** Minutes to add to UTC for local time at an instant (the daily reminder). */
  localOffsetMinutes(epochMs: number): number;
}

/**
 * The long-running watch over the fleet's money: the cost meter folds each snapshot into the run
 * history, the reminder policy decides what to show for each workstation with an instance, a
 * budget cap may stop the instance it is about, each running workstation's watchdog is asked (over
 * ssh) whether the machine is idle (IdleAnswers), and what the shown workstation keeps in AWS while
 * stopped is looked up (StillCostingLookup). Updates of the reminder state run one at a time.
 */
export class Monitor {
  /** The cost meter's last answer for the watched workstation. */
  private cost: { name: string; status: CostStatus } | null = null;
  /** This month's spend of the other workstations (the monthly budget is global). */
  private othersMonthUsd = 0;
  /** What the watched workstation keeps in AWS while stopped. */
  private readonly stillCosting: StillCostingLookup;
  /** Each workstation's idleness for its current run: the watchdog's answers and the GPU stats' view. */
  private readonly idle: IdleAnswers;
  /** The reminder the popover offers Stop now / Snooze for. */
  private open: OpenReminder | null = null;
  /** Cost updates and reminder-state changes, one at a time (each reads and writes the reminder file). */
  private chain: Promise<void> = Promise.resolve();
  private assessQueued = false;

  constructor(private readonly host: MonitorHost) {
    this.idle = new IdleAnswers({ core: () => host.core(), answered: () => this.assess(), log: (line) => host.log(line) });
    this.stillCosting = new StillCostingLookup(host);
  }

  /** Forgets what was about the shown workstation (another one is shown); the watchdogs' answers, kept per run, stay. */
  forget(): void {
    this.cost = null;
    this.stillCosting.forget();
    this.open = null;
  }

  /** Forgets everything, the watchdogs' answers too (the core was rebuilt). */
  reset(): void {
    this.forget();
    this.idle.reset();
  }

  /** The reminder the popover offers an answer to. */
  get openReminder(): OpenReminder | null {
    return this.open;
  }

  /** The reminder was answered (or its run ended). */
  closeReminder(): void {
    this.open = null;
  }

  /** A new snapshot of the watched workstation (after the session took it). */
  noteSnapshot(snapshot: Snapshot, previousPhase: Snapshot['phase'] | null): void {
    this.stillCosting.noteSnapshot(snapshot, previousPhase);
    this.assess();
  }

  /** The instance took a snooze until `until`: its watchdog keeps it awake, so show it so. */
  noteSnoozed(snapshot: Snapshot | null, until: number): void {
    this.idle.noteSnoozed(snapshot, until);
  }

  /** Runs `work` after every cost update and reminder-state change queued before it. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Waits for the updates, probes and lookups under way (and the updates a probe's answer queues). */
  async settled(): Promise<void> {
    for (;;) {
      const chain = this.chain;
      await Promise.all([chain, ...this.idle.inFlight(), this.stillCosting.underWay()]);
      if (chain === this.chain && this.idle.inFlight().length === 0) return;
    }
  }

  /** The watched workstation's cost facts as the pure models take them. */
  costFacts(): CostFacts {
    const name = this.host.watched();
    const snapshot = this.host.snapshot();
    const cost = this.cost !== null && this.cost.name === name ? this.cost.status : null;
    return {
      hourlyUsd: cost?.hourlyUsd ?? null,
      priceSource: cost?.priceSource ?? null,
      market: cost?.market ?? null,
      priceEstimatedFrom: cost?.priceEstimatedFrom ?? null,
      priceUnknown: cost?.priceUnknown ?? null,
      sessionUsd: cost === null ? null : cost.sessionUsd,
      monthUsd: cost?.monthUsd ?? null,
      monthComplete: cost?.monthComplete ?? true,
      monthUnpriced: cost?.monthUnpriced ?? false,
      stillCosting: this.stillCosting.of(name),
      idle: snapshot ? this.idle.of(snapshot) : null,
    };
  }

  hourlyUsd(): number | null {
    return this.cost !== null && this.cost.name === this.host.watched() ? this.cost.status.hourlyUsd : null;
  }

  /** The GPU stats' view of idleness after a new reading of a workstation: the reminders look again. */
  noteStatsIdle(name: string, run: string | null, status: StatsIdle): void {
    this.idle.noteStats(name, run, status);
    this.assess();
  }

  /**
   * Brings cost and reminders up to date for the latest snapshot. Requests made while one is
   * queued are merged into it.
   */
  assess(): void {
    if (this.assessQueued) return;
    this.assessQueued = true;
    this.serial(async () => {
      this.assessQueued = false;
      await this.assessNow();
    }).catch((error: unknown) => {
      this.host.log(`cost update failed: ${toErrorInfo(error).message}`);
      this.host.changed();
    });
  }

  private async assessNow(): Promise<void> {
    const core = this.host.core();
    const name = this.host.watched();
    const snapshot = this.host.snapshot();
    if (name === null || snapshot === null || snapshot.name !== name) return;
    const costs = new CostUseCases(core);
    const now = core.clock.now();
    const status = await costs.meter(name, snapshot.instance, now);
    // The other workstations with an instance: each run is metered and reminded about on its own.
    const others = await this.observeOthers(core, costs, name, now);
    // Every workstation's month from the run histories alone (no AWS call): the budget is global.
    const monthExcept = async (workstation: string) => {
      const spend = await costs.othersMonth(workstation, now);
      return { othersMonthUsd: spend.usd, othersMonthUnpriced: spend.unpriced };
    };
    const othersMonth = await monthExcept(name);
    const otherInputs = await Promise.all(others.map(async (other) => ({ ...other, ...(await monthExcept(other.snapshot.name)) })));
    if (core !== this.host.core() || name !== this.host.watched()) return;
    this.cost = { name, status };
    this.othersMonthUsd = othersMonth.othersMonthUsd;
    // Each workstation with its own watchdog's answer about its run.
    const members = [{ snapshot, cost: status, ...othersMonth }, ...otherInputs].map((member) => ({ ...member, idle: this.idle.of(member.snapshot) }));
    await this.remind(core, members, now);
    for (const member of members) this.idle.probe(core, member.snapshot, now);
    this.host.changed();
  }

  /** Meters the other workstations that have an instance (no AWS call: their snapshots are the fleet watch's). */
  private async observeOthers(core: CloudRigCore, costs: CostUseCases, watched: string, now: number): Promise<Array<{ snapshot: Snapshot; cost: CostStatus }>> {
    const others = (this.host.others?.() ?? []).filter((other) => other.name !== watched && other.instance !== null && core.service.names().includes(other.name));
    return Promise.all(others.map(async (other) => ({ snapshot: other, cost: await costs.meter(other.name, other.instance, now) })));
  }

  /**
   * The reminders for the fleet at once (the watched workstation first, as shown): each is
   * reminded about on its own, the monthly budget once for all, and a budget cap stops the
   * workstation it is about (unless a stop of it is under way).
   */
  private async remind(
    core: CloudRigCore,
    members: ReadonlyArray<{ snapshot: Snapshot; cost: CostStatus; idle: IdleStatus | null; othersMonthUsd: number; othersMonthUnpriced: boolean }>,
    now: number,
  ): Promise<void> {
    const snapshot = members[0]!.snapshot;
    const state = await core.reminders.read();
    const archive = await Promise.all(members.map((member) => archiveReminderOptions(core, member.snapshot)));
    const decision = evaluateFleetReminders(state, members.map((member, index) => reminderInputOf({
      ...member,
      archive: archive[index],
      settings: this.host.reminderSettings(),
      now,
      localOffsetMinutes: (ms) => this.host.localOffsetMinutes(ms),
    })));
    if (JSON.stringify(decision.state) !== JSON.stringify(state)) {
      // Showing matters more than remembering: a failed write at worst repeats it after a restart.
      await core.reminders.write(decision.state).catch((error: unknown) => this.host.log(`could not save reminders: ${toErrorInfo(error).message}`));
    }
    this.open = pendingReminder(this.open, decision.reminders, this.host.snapshot(), now);
    const runs = new Map(members.map((member) => [member.snapshot.name, runKey(member.snapshot)] as const));
    for (const reminder of decision.reminders) this.host.notify(reminderNotification(reminder), { reminder, run: runs.get(reminder.workstation) ?? runKey(snapshot) });
    const shown = members.map((member, index) => (index === 0 ? this.host.effective() : member.snapshot));
    for (const member of shown) {
      if (member === null || !budgetStopDue(decision.reminders, member) || this.host.stopping(member.name)) continue;
      this.host.log(`budget reached: stopping ${member.name}`);
      this.host.stop(member.name);
    }
    for (const member of shown) {
      if (member === null || !this.host.archive || !archiveDue(decision.reminders, member)) continue;
      this.host.log(`automatic archive: archiving ${member.name}`);
      this.host.archive(member.name);
    }
  }

  /** Looks up what the workstation keeps in AWS (the "still costing you" list). */
  lookUpStillCosting(): void {
    this.stillCosting.lookUp();
  }
}
