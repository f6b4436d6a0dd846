import type { Snapshot } from '../../shared/workstation.js';
import type { Reminders } from '../../shared/settings.js';
import type { StillCosting } from '../still-costing.js';
import type { CostStatus } from '../cost-tracker.js';
import type { CostFacts } from '../cost-view.js';
import {
  archiveDue,
  budgetStopDue,
  idleProbeDue,
  keptResourcesDue,
  pendingReminder,
  reminderInputOf,
  runKey,
  type OpenReminder,
} from '../cost-watch.js';
import { toErrorInfo } from '../errors.js';
import { idleStatusCommand, parseIdleStatus, type IdleStatus } from '../idle-watchdog.js';
import { reminderNotification, type NotificationModel } from '../notification-policy.js';
import { showsStillCosting } from '../popover-model.js';
import { evaluateFleetReminders } from '../fleet-reminders.js';
import { sshTargetOf } from '../ssh-command.js';
import { combinedIdle, type StatsIdle } from '../stats-idle.js';
import type { SshTarget } from '../ports.js';
import { resourceName } from '../workstation-service.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { archiveReminderOptions } from './archive.js';

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

/** The watchdog's last answer about one run of a workstation, and when it was asked. */
interface IdleAnswer {
  readonly run: string | null;
  readonly status: IdleStatus | null;
  /** When the probe that gave `status` was sent (null while none has answered). */
  readonly statusAt: number | null;
  readonly probedAt: number;
}

/** How long the app waits for a watchdog's answer over ssh. */
const IDLE_PROBE_TIMEOUT_MS = 10_000;

/**
 * The long-running watch over the fleet's money: the cost meter folds each snapshot into the run
 * history, the reminder policy decides what to show for each workstation with an instance, a
 * budget cap may stop the instance it is about, each running workstation's watchdog is asked (over
 * ssh) whether the machine is idle, and what the shown workstation keeps in AWS while stopped is
 * looked up. Updates of the reminder state run one at a time.
 */
export class Monitor {
  /** The cost meter's last answer for the watched workstation. */
  private cost: { name: string; status: CostStatus } | null = null;
  /** This month's spend of the other workstations (the monthly budget is global). */
  private othersMonthUsd = 0;
  /** What the watched workstation keeps in AWS, from the last look (when it came to rest). */
  private stillCosting: { name: string; value: StillCosting | null } | null = null;
  private keptLookups = 0;
  private keptLookup: Promise<void> | null = null;
  /** Per workstation, the watchdog's last answer about its current run. */
  private readonly idle = new Map<string, IdleAnswer>();
  /** The probes in flight, at most one per workstation. */
  private readonly idleProbes = new Map<string, Promise<void>>();
  /** Per workstation, the GPU stats' view of idleness for its current run (the stats feed the idle reminder). */
  private readonly statsIdle = new Map<string, { readonly run: string | null; readonly status: StatsIdle }>();
  /** The reminder the popover offers Stop now / Snooze for. */
  private open: OpenReminder | null = null;
  /** Cost updates and reminder-state changes, one at a time (each reads and writes the reminder file). */
  private chain: Promise<void> = Promise.resolve();
  private assessQueued = false;

  constructor(private readonly host: MonitorHost) {}

  /** Forgets what was about the shown workstation (another one is shown); the watchdogs' answers, kept per run, stay. */
  forget(): void {
    this.cost = null;
    this.stillCosting = null;
    this.open = null;
  }

  /** Forgets everything, the watchdogs' answers too (the core was rebuilt). */
  reset(): void {
    this.forget();
    this.idle.clear();
    this.statsIdle.clear();
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
    if (!showsStillCosting(snapshot)) this.stillCosting = null;
    if (keptResourcesDue(previousPhase, snapshot.phase)) this.lookUpStillCosting();
    this.assess();
  }

  /** The instance took a snooze until `until`: its watchdog keeps it awake, so show it so. */
  noteSnoozed(snapshot: Snapshot | null, until: number): void {
    const answer = snapshot === null ? undefined : this.idle.get(snapshot.name);
    if (snapshot !== null && answer !== undefined && answer.run === runKey(snapshot)) {
      this.idle.set(snapshot.name, { ...answer, status: { idleSince: null, keptAwakeUntil: until }, statusAt: this.host.core().clock.now() });
    }
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
      await Promise.all([chain, ...this.idleProbes.values(), this.keptLookup]);
      if (chain === this.chain && this.idleProbes.size === 0) return;
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
      stillCosting: this.stillCosting !== null && this.stillCosting.name === name ? this.stillCosting.value : null,
      idle: snapshot ? this.idleOf(snapshot) : null,
    };
  }

  hourlyUsd(): number | null {
    return this.cost !== null && this.cost.name === this.host.watched() ? this.cost.status.hourlyUsd : null;
  }

  /** The idle status of this snapshot's run: the watchdog's answer and the GPU stats' view, combined (see stats-idle.ts). */
  private idleOf(snapshot: Snapshot): IdleStatus | null {
    const run = runKey(snapshot);
    const answer = this.idle.get(snapshot.name);
    const watchdog = answer !== undefined && answer.run === run && answer.status !== null && answer.statusAt !== null ? { status: answer.status, askedAt: answer.statusAt } : null;
    const stats = this.statsIdle.get(snapshot.name);
    return combinedIdle(watchdog, stats !== undefined && stats.run === run ? stats.status : null, this.host.core().clock.now());
  }

  /** The GPU stats' view of idleness after a new reading of a workstation: the reminders look again. */
  noteStatsIdle(name: string, run: string | null, status: StatsIdle): void {
    this.statsIdle.set(name, { run, status });
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
    const spec = core.service.spec(name);
    const now = core.clock.now();
    const status = await core.costs.observe(spec, snapshot.instance, now);
    // The other workstations with an instance: each run is metered and reminded about on its own.
    const others = await this.observeOthers(core, name, now);
    // Every workstation's month from the run histories alone (no AWS call): the budget is global.
    const monthExcept = async (workstation: string) => {
      const spend = await core.costs.monthSpend(now, { except: workstation });
      return { othersMonthUsd: spend.usd, othersMonthUnpriced: spend.unpriced };
    };
    const othersMonth = await monthExcept(name);
    const otherInputs = await Promise.all(others.map(async (other) => ({ ...other, ...(await monthExcept(other.snapshot.name)) })));
    if (core !== this.host.core() || name !== this.host.watched()) return;
    this.cost = { name, status };
    this.othersMonthUsd = othersMonth.othersMonthUsd;
    // Each workstation with its own watchdog's answer about its run.
    const members = [{ snapshot, cost: status, ...othersMonth }, ...otherInputs].map((member) => ({ ...member, idle: this.idleOf(member.snapshot) }));
    await this.remind(core, members, now);
    for (const member of members) this.probeIdle(core, member.snapshot, now);
    this.host.changed();
  }

  /** Meters the other workstations that have an instance (no AWS call: their snapshots are the fleet watch's). */
  private async observeOthers(core: CloudRigCore, watched: string, now: number): Promise<Array<{ snapshot: Snapshot; cost: CostStatus }>> {
    const others = (this.host.others?.() ?? []).filter((other) => other.name !== watched && other.instance !== null && core.service.names().includes(other.name));
    return Promise.all(others.map(async (other) => ({ snapshot: other, cost: await core.costs.observe(core.service.spec(other.name), other.instance, now) })));
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

  /**
   * Asks this workstation's watchdog (over ssh) since when its machine has been idle, when that is
   * due for its run; one probe in flight per workstation. The answer is kept for that run only.
   */
  private probeIdle(core: CloudRigCore, snapshot: Snapshot, now: number): void {
    const name = snapshot.name;
    const run = runKey(snapshot);
    const last = this.idle.get(name);
    if (last !== undefined && last.run !== run) this.idle.delete(name);
    const current = last?.run === run ? last : null;
    const enabled = core.service.spec(name).autoStop.enabled;
    if (this.idleProbes.has(name) || !idleProbeDue(snapshot, enabled, current?.probedAt ?? null, now)) return;
    const target = targetOf(core, snapshot);
    if (target === null) return;
    this.idle.set(name, { run, status: current?.status ?? null, statusAt: current?.statusAt ?? null, probedAt: now });
    const probe = core.ssh.exec(target, idleStatusCommand(core.keepAliveFile ?? undefined), IDLE_PROBE_TIMEOUT_MS).then(
      (result) => {
        if (core !== this.host.core() || this.idle.get(name)?.run !== run) return;
        if (result.code !== 0) {
          this.host.log(`idle check of ${name} failed: exit ${result.code}`);
          return;
        }
        this.idle.set(name, { run, status: parseIdleStatus(result.stdout, core.clock.now()), statusAt: now, probedAt: now });
        this.assess();
      },
      (error: unknown) => this.host.log(`idle check of ${name} failed: ${toErrorInfo(error).message}`),
    ).finally(() => {
      if (this.idleProbes.get(name) === probe) this.idleProbes.delete(name);
    });
    this.idleProbes.set(name, probe);
  }

  /** Looks up what the workstation keeps in AWS (the "still costing you" list). */
  lookUpStillCosting(): void {
    const core = this.host.core();
    const name = this.host.watched();
    const snapshot = this.host.snapshot();
    if (name === null || snapshot === null || !showsStillCosting(snapshot)) return;
    const lookup = ++this.keptLookups;
    let spec;
    try {
      spec = core.service.spec(name);
    } catch {
      return;
    }
    this.keptLookup = core.costs.report([spec], new Map([[name, snapshot.instance]]), core.clock.now()).then(
      (report) => {
        if (lookup !== this.keptLookups || core !== this.host.core() || name !== this.host.watched()) return;
        this.stillCosting = { name, value: report.workstations.find((w) => w.name === name)?.stillCosting ?? null };
        this.host.changed();
      },
      (error: unknown) => this.host.log(`could not list what ${name} keeps in AWS: ${toErrorInfo(error).message}`),
    );
  }
}

/** Where ssh reaches the instance of this snapshot, without asking AWS again. */
export function targetOf(core: CloudRigCore, snapshot: Snapshot): SshTarget | null {
  if (snapshot.instance?.state !== 'running') return null;
  const spec = core.service.spec(snapshot.name);
  return sshTargetOf(spec, snapshot.instance, core.keys.pathOf(resourceName(spec.name)), core.keys.knownHostsPathOf(spec.name));
}
