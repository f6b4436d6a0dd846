// Reminders and budgets over every workstation: each is reminded about on its own (its run, its
// idle stretch, its session budget), and the monthly budget counts them all together. Pure: the
// caller passes each workstation's snapshot and cost, shows what comes back and saves the state.
import type { Reminders } from '../shared/settings.js';
import type { Snapshot } from '../shared/workstation.js';
import type { CostStatus } from './cost-tracker.js';
import { reminderInputOf } from './cost-watch.js';
import type { IdleStatus } from './idle-watchdog.js';
import { evaluateReminders, type ReminderDecision, type ReminderInput, type Reminder, type ReminderState } from './reminder-policy.js';

/** One workstation of the fleet as the reminder policy sees it. */
export interface FleetMember {
  readonly snapshot: Snapshot;
  readonly cost: CostStatus;
  /** The watchdog's answer for this run, or null when not asked. */
  readonly idle: IdleStatus | null;
}

/** Each workstation's reminder input, with the month's spend of all the others added to its own. */
export function fleetReminderInputs(options: {
  readonly members: readonly FleetMember[];
  readonly settings: Reminders;
  readonly now: number;
  readonly localOffsetMinutes: (epochMs: number) => number;
}): ReminderInput[] {
  const total = options.members.reduce((sum, member) => sum + member.cost.monthUsd, 0);
  const unpriced = (except: FleetMember): boolean => options.members.some((member) => member !== except && member.cost.monthUnpriced);
  return options.members.map((member) => reminderInputOf({
    snapshot: member.snapshot,
    cost: member.cost,
    othersMonthUsd: total - member.cost.monthUsd,
    othersMonthUnpriced: unpriced(member),
    idle: member.idle,
    settings: options.settings,
    now: options.now,
    localOffsetMinutes: options.localOffsetMinutes,
  }));
}

/**
 * The reminders for the whole fleet at once, the state passed from one workstation to the next:
 * a reminder about the month (the global budget) is shown once, not once per workstation.
 */
export function evaluateFleetReminders(state: ReminderState, inputs: readonly ReminderInput[]): ReminderDecision {
  const reminders: Reminder[] = [];
  let current = state;
  for (const input of inputs) {
    const decision = evaluateReminders(current, input);
    reminders.push(...decision.reminders);
    current = decision.state;
  }
  return { reminders, state: current };
}
