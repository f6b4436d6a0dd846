// The decisions behind the app's cost loop, kept pure so main only runs them: when to ask the
// instance whether it is idle (one ssh exec), when to look up what keeps billing while stopped
// (AWS calls), what the reminder policy is given, which reminder the popover keeps offering, and
// when a budget cap means stopping now.
import type { Reminders } from '../shared/settings.js';
import type { Phase, Snapshot } from '../shared/workstation.js';
import type { CostStatus } from './cost-tracker.js';
import type { IdleStatus } from './idle-watchdog.js';
import { canStop } from './phase-view.js';
import type { Reminder, ReminderInput, ReminderState } from './reminder-policy.js';
import type { ArchiveReminderInput } from './archive-reminders.js';
import { transitionTime } from './cost-meter.js';

/** Reads and writes the reminder policy's state (`<home>/state/reminders.json` in the app). */
export interface ReminderStore {
  /** The saved state; the initial state when there is none (or it is damaged). */
  read(): Promise<ReminderState>;
  write(state: ReminderState): Promise<void>;
}

/** How often, at most, the app asks the instance's watchdog whether it is idle (one ssh command). */
export const IDLE_PROBE_MS = 5 * 60_000;

import { runKey } from './run-key.js';

export { runKey };

/**
 * Whether to ask the watchdog now: only while ssh answers, only when the workstation has auto-stop
 * (no watchdog, no idle signal), and at most once every IDLE_PROBE_MS.
 */
export function idleProbeDue(snapshot: Snapshot | null, autoStopEnabled: boolean, lastProbeAt: number | null, now: number): boolean {
  if (snapshot?.phase !== 'ready' || !autoStopEnabled) return false;
  return lastProbeAt === null || now - lastProbeAt >= IDLE_PROBE_MS || lastProbeAt > now;
}

/**
 * Whether to look up what the workstation keeps in AWS (volumes, images, addresses): when it has
 * just come to rest stopped or gone, not on every poll. (Opening the popover asks again.)
 */
export function keptResourcesDue(prev: Phase | null, next: Phase): boolean {
  return (next === 'stopped' || next === 'absent') && prev !== next;
}

/** Epoch ms the current run started (EC2's LaunchTime, which each start resets); null when not running. */
export function runningSince(snapshot: Snapshot, now: number): number | null {
  if (snapshot.instance?.state !== 'running' || !snapshot.instance.launchedAt) return null;
  const at = Date.parse(snapshot.instance.launchedAt);
  return Number.isNaN(at) ? null : Math.min(at, now);
}

/** What the reminder policy looks at for the watched workstation. */
export function reminderInputOf(options: {
  readonly snapshot: Snapshot;
  readonly cost: CostStatus;
  /** This month's spend of every other workstation (the monthly budget is global). */
  readonly othersMonthUsd: number;
  /** True when another workstation's month has a run without a known price. */
  readonly othersMonthUnpriced?: boolean;
  /** The watchdog's answer for this run, or null when not asked. */
  readonly idle: IdleStatus | null;
  readonly settings: Reminders;
  readonly now: number;
  readonly localOffsetMinutes: (epochMs: number) => number;
  /** The workstation's archive settings and prices; absent: no archive reminders. */
  readonly archive?: Omit<ArchiveReminderInput, 'workstation' | 'now' | 'stoppedSince'>;
}): ReminderInput {
  const { snapshot, cost, now } = options;
  const since = runningSince(snapshot, now);
  return {
    workstation: snapshot.name,
    now,
    runningSince: since,
    // Idle only counts while ssh answers: it is the watchdog's word, read over ssh.
    idleSince: since !== null && snapshot.phase === 'ready' ? (options.idle?.idleSince ?? null) : null,
    hourlyUsd: cost.hourlyUsd,
    sessionUsd: cost.sessionUsd,
    monthUsd: options.othersMonthUsd + cost.monthUsd,
    monthUnpriced: cost.monthUnpriced || options.othersMonthUnpriced === true,
    priceUnknown: cost.priceUnknown,
    settings: options.settings,
    localOffsetMinutes: options.localOffsetMinutes,
    ...(options.archive ? { archive: { ...options.archive, stoppedSince: stoppedSince(snapshot, now) } } : {}),
  };
}

/** Epoch ms the instance stopped (EC2's transition time in its state reason); null when not stopped or unknown. */
export function stoppedSince(snapshot: Snapshot, now: number): number | null {
  if (snapshot.phase !== 'stopped' || snapshot.instance?.state !== 'stopped') return null;
  const at = transitionTime(snapshot.instance.stateReason);
  return at === null ? null : Math.min(at, now);
}

/** Whether an automatic archive was decided for this workstation (and it is still stopped, with nothing under way). */
export function archiveDue(shown: readonly Reminder[], snapshot: Snapshot | null): boolean {
  return snapshot !== null && snapshot.phase === 'stopped' && shown.some((reminder) => reminder.autoArchive === true && reminder.workstation === snapshot.name);
}

/** A reminder shown and not answered yet, with the run it is about. */
export interface OpenReminder {
  readonly reminder: Reminder;
  readonly run: string | null;
}

/**
 * The reminder the popover keeps offering Stop now / Snooze for: the newest one shown that has
 * those actions, until it is answered (the caller clears it) or the run it was about ends.
 */
export function pendingReminder(current: OpenReminder | null, shown: readonly Reminder[], snapshot: Snapshot | null, now: number): OpenReminder | null {
  if (!snapshot || runningSince(snapshot, now) === null) return null;
  const run = runKey(snapshot);
  const newest = [...shown].reverse().find((reminder) => reminder.actions.length > 0 && reminder.workstation === snapshot.name);
  if (newest) return { reminder: newest, run };
  return current !== null && current.run === run && current.reminder.workstation === snapshot.name ? current : null;
}

/**
 * Whether an answer to this reminder still applies: its run is the one going now. Stop now pressed
 * on a notification about an earlier run must not stop a new one.
 */
export function reminderApplies(open: OpenReminder | null, snapshot: Snapshot | null, now: number): boolean {
  if (open === null || snapshot === null || open.reminder.workstation !== snapshot.name) return false;
  return runningSince(snapshot, now) !== null && open.run === runKey(snapshot);
}

/** Whether a budget cap with auto-stop was reached and the instance can be stopped now. */
export function budgetStopDue(shown: readonly Reminder[], snapshot: Snapshot | null): boolean {
  return snapshot !== null && canStop(snapshot) && shown.some((reminder) => reminder.autoStop && reminder.workstation === snapshot.name);
}
