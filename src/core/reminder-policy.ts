// When to remind the user that a workstation is costing money. Pure: the caller passes the time,
// the costs and the policy state, shows what comes back, and persists the new state.
//
// Every reminder has an id derived from what it is about (the run, the day, the idle stretch, the
// month), and the state records the ids already shown, so a restart of the app or the CLI — or the
// same state read by the other one — never shows one twice. Snooze holds back the "still running"
// kinds (after N hours, daily, idle) for an hour; budget reminders ignore it, since each is shown
// once per month or run, and a budget cap the user asked for is not snoozable.
import type { Reminders } from '../shared/settings.js';
import { formatEnteredUsd, formatHourly, formatUsd, hoursAndMinutes } from './format.js';
import { utcMonthKey } from './cost-meter.js';
import { budgetUncheckedText, type UnknownPrice } from './price-unknown.js';
import { archiveReminders, type ArchiveReminderInput } from './archive-reminders.js';

/** How long "Snooze" holds reminders back. */
export const SNOOZE_HOURS = 1;

/** Shown ids older than this are forgotten (the longest-lived id is a month's budget). */
const FIRED_RETENTION_MS = 40 * 24 * 3_600_000;

/** A daily reminder is still worth showing this long after its time (e.g. once a snooze ends). */
const DAILY_GRACE_MS = 6 * 3_600_000;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type { Reminder, ReminderAction, ReminderKind } from './reminder.js';
import type { Reminder } from './reminder.js';

/** Policy state the caller persists (plain JSON); one value for all workstations. */
export interface ReminderState {
  /** Reminder id → epoch ms when it was shown. */
  readonly fired: Readonly<Record<string, number>>;
  /** Epoch ms until which snoozable reminders are held back; null when not snoozed. */
  readonly snoozedUntil: number | null;
}

/** State before anything was shown. */
export const INITIAL_REMINDER_STATE: ReminderState = { fired: {}, snoozedUntil: null };

/** What the policy looks at for one workstation. */
export interface ReminderInput {
  readonly workstation: string;
  readonly now: number;
  /** Epoch ms the current run started (see sessionCost); null when not running. */
  readonly runningSince: number | null;
  /** Epoch ms since the instance has been idle (the watchdog's signal); null when busy or unknown. */
  readonly idleSince: number | null;
  readonly hourlyUsd: number | null;
  /** This run's cost; null when it runs at an unknown rate (then no session budget can be checked). */
  readonly sessionUsd: number | null;
  /** This UTC month's instance spend across all workstations (the monthly budget is global). */
  readonly monthUsd: number;
  /** True when a run this month has no known price: `monthUsd` is only a floor. */
  readonly monthUnpriced?: boolean;
  /** Why this workstation's rate is unknown; null or absent when it is known. */
  readonly priceUnknown?: UnknownPrice | null;
  readonly settings: Reminders;
  /**
   * Minutes to add to UTC to get local time at an instant; in the app
   * `(ms) => -new Date(ms).getTimezoneOffset()`. A function, so DST changes are right.
   */
  readonly localOffsetMinutes: (epochMs: number) => number;
  /** Since when it has been stopped and its archive settings; absent: no archive reminders. */
  readonly archive?: Omit<ArchiveReminderInput, 'workstation' | 'now'>;
}

/** The reminders to show now and the state to persist. */
export interface ReminderDecision {
  readonly reminders: readonly Reminder[];
  readonly state: ReminderState;
}

interface Candidate {
  readonly reminder: Reminder;
  /** Ids this one stands in for: marked shown with it, so they never show late. */
  readonly covers: readonly string[];
}

/** Decides which reminders to show for one workstation at `input.now`. */
export function evaluateReminders(state: ReminderState, input: ReminderInput): ReminderDecision {
  const { now } = input;
  const snoozed = state.snoozedUntil !== null && now < state.snoozedUntil;
  const candidates: Candidate[] = [];

  if (input.runningSince !== null && !snoozed) {
    const running = runningReminder(input, input.runningSince);
    const daily = dailyReminder(input, input.runningSince);
    // Daily and after-N-hours at once would say the same thing twice: the daily one wins.
    if (daily !== null && !(daily.id in state.fired)) candidates.push({ reminder: daily, covers: running === null ? [] : [running.id] });
    else if (running !== null) candidates.push({ reminder: running, covers: [] });
    const idle = idleReminder(input);
    if (idle !== null) candidates.push({ reminder: idle, covers: [] });
  }
  candidates.push(...budgetReminders(input));
  // Not snoozable: Snooze keeps a running box up for an hour, which says nothing about a stopped one.
  if (input.archive) {
    candidates.push(...archiveReminders({ ...input.archive, workstation: input.workstation, now }, state.fired).map((reminder) => ({ reminder, covers: [] })));
  }

  const fired: Record<string, number> = {};
  for (const [id, at] of Object.entries(state.fired)) {
    if (at >= now - FIRED_RETENTION_MS) fired[id] = at;
  }
  const reminders: Reminder[] = [];
  for (const { reminder, covers } of candidates) {
    if (reminder.id in fired) continue;
    reminders.push(reminder);
    for (const id of [reminder.id, ...covers]) fired[id] = now;
  }
  const snoozedUntil = snoozed ? state.snoozedUntil : null;
  return { reminders, state: { fired, snoozedUntil } };
}

/** The state after the user chose Snooze: snoozable reminders wait `hours` (default 1). */
export function snoozeReminders(state: ReminderState, now: number, hours = SNOOZE_HOURS): ReminderState {
  const until = now + hours * HOUR_MS;
  return { ...state, snoozedUntil: Math.max(until, state.snoozedUntil ?? 0) };
}

function runningReminder(input: ReminderInput, since: number): Reminder | null {
  const { settings, now } = input;
  const elapsed = now - since;
  const first = settings.afterHours * HOUR_MS;
  if (elapsed < first) return null;
  // Only the latest slot: after a night with the app closed, one reminder, not a burst.
  const slot = Math.floor((elapsed - first) / (settings.repeatHours * HOUR_MS));
  return {
    id: `${input.workstation}:running:${since}:${slot}`,
    kind: 'running',
    workstation: input.workstation,
    title: `${input.workstation} has been running for ${hoursAndMinutes(elapsed)}`,
    body: `${spentText(input)} Stop it if you are done.`,
    actions: ['stop', 'snooze'],
    autoStop: false,
  };
}

function dailyReminder(input: ReminderInput, since: number): Reminder | null {
  const { settings, now } = input;
  if (settings.dailyAt === null) return null;
  const [hours, minutes] = settings.dailyAt.split(':').map(Number) as [number, number];
  const localNow = now + input.localOffsetMinutes(now) * MINUTE_MS;
  let localAt = Math.floor(localNow / DAY_MS) * DAY_MS + hours * HOUR_MS + minutes * MINUTE_MS;
  if (localAt > localNow) localAt -= DAY_MS;
  const at = localAt - input.localOffsetMinutes(localAt - input.localOffsetMinutes(now) * MINUTE_MS) * MINUTE_MS;
  if (at < since || now - at > DAILY_GRACE_MS) return null;
  const day = new Date(localAt).toISOString().slice(0, 10);
  return {
    id: `${input.workstation}:daily:${day}`,
    kind: 'daily',
    workstation: input.workstation,
    title: `${input.workstation} is still running`,
    body: `It is past ${settings.dailyAt}. ${spentText(input)} Stop it for the night?`,
    actions: ['stop', 'snooze'],
    autoStop: false,
  };
}

function idleReminder(input: ReminderInput): Reminder | null {
  const { idleSince, now, settings } = input;
  if (idleSince === null || now - idleSince < settings.idleMinutes * MINUTE_MS) return null;
  const rate = input.hourlyUsd === null ? '' : ` It costs ${formatHourly(input.hourlyUsd)} while it waits.`;
  return {
    id: `${input.workstation}:idle:${idleSince}`,
    kind: 'idle',
    workstation: input.workstation,
    title: `${input.workstation} has been idle for ${hoursAndMinutes(now - idleSince)}`,
    body: `No ssh session and no GPU work.${rate}`,
    actions: ['stop', 'snooze'],
    autoStop: false,
  };
}

function budgetReminders(input: ReminderInput): Candidate[] {
  const { settings, workstation, runningSince } = input;
  const running = runningSince !== null;
  const candidates: Candidate[] = [];
  const month = utcMonthKey(input.now);
  const unchecked = uncheckedBudgetReminder(input, month);
  if (unchecked !== null) candidates.push({ reminder: unchecked, covers: [] });

  const monthly = settings.monthlyBudgetUsd;
  if (monthly !== null && monthly > 0) {
    const warn = `budget:month:${month}:80`;
    const full = `budget:month:${month}:100`;
    if (input.monthUsd >= monthly) {
      if (settings.autoStopAtBudget && running) {
        // Per run: a cap the user asked for stops every run that goes on past it.
        candidates.push({
          reminder: autoStopReminder(
            `${workstation}:budget-stop:month:${month}:${runningSince}`,
            workstation,
            `This month's spend reached ${formatUsd(input.monthUsd)} of your ${formatEnteredUsd(monthly)} budget.`,
          ),
          covers: [warn, full],
        });
      } else {
        candidates.push({
          reminder: budgetReminder(full, workstation, running, `Monthly budget of ${formatEnteredUsd(monthly)} reached`,
            `${formatUsd(input.monthUsd)} spent this month.`),
          covers: [warn],
        });
      }
    } else if (input.monthUsd >= 0.8 * monthly) {
      candidates.push({
        reminder: budgetReminder(warn, workstation, running, '80% of the monthly budget spent',
          `${formatUsd(input.monthUsd)} of ${formatEnteredUsd(monthly)} so far this month.`),
        covers: [],
      });
    }
  }

  const session = settings.sessionBudgetUsd;
  if (session !== null && session > 0 && running && input.sessionUsd !== null) {
    const warn = `${workstation}:budget:session:${runningSince}:80`;
    const full = `${workstation}:budget:session:${runningSince}:100`;
    if (input.sessionUsd >= session) {
      candidates.push({
        reminder: settings.autoStopAtBudget
          ? autoStopReminder(full, workstation, `This session reached ${formatUsd(input.sessionUsd)}, your per-session cap of ${formatEnteredUsd(session)}.`)
          : budgetReminder(full, workstation, running, `${workstation}: session budget reached`,
            `${formatUsd(input.sessionUsd)} this session, your cap is ${formatEnteredUsd(session)}.`),
        covers: [warn],
      });
    } else if (input.sessionUsd >= 0.8 * session) {
      candidates.push({
        reminder: budgetReminder(warn, workstation, running, `${workstation}: 80% of the session budget`,
          `${formatUsd(input.sessionUsd)} of ${formatEnteredUsd(session)} this session.`),
        covers: [],
      });
    }
  }
  return candidates;
}

/**
 * A budget that cannot be checked because a rate is unknown: said once per run (or, for a month
 * with an unpriced run and nothing running at an unknown rate, once per month) rather than
 * staying silent while the spend counts the run as nothing.
 */
function uncheckedBudgetReminder(input: ReminderInput, month: string): Reminder | null {
  const { settings, workstation, runningSince } = input;
  const running = runningSince !== null;
  const monthly = settings.monthlyBudgetUsd;
  const sessionBlind = running && input.sessionUsd === null;
  const monthBlind = monthly !== null && monthly > 0 && (input.monthUnpriced === true || sessionBlind) && input.monthUsd < monthly;
  const text = budgetUncheckedText({
    monthlyUsd: monthBlind ? monthly : null,
    sessionUsd: sessionBlind ? settings.sessionBudgetUsd : null,
  }, [workstation]);
  if (text === null) return null;
  const why = input.priceUnknown ? ` (${input.priceUnknown.reason}). To fix: ${input.priceUnknown.fix}.` : '.';
  const cap = settings.autoStopAtBudget ? ' CloudRig cannot stop it at the budget either.' : '';
  return budgetReminder(
    sessionBlind ? `${workstation}:budget:unchecked:${runningSince}` : `budget:month:${month}:unchecked`,
    workstation,
    running,
    `Budget cannot be checked: ${workstation}'s rate is unknown`,
    `${text}${why}${cap}`,
  );
}

function budgetReminder(id: string, workstation: string, running: boolean, title: string, body: string): Reminder {
  return { id, kind: 'budget', workstation, title, body, actions: running ? ['stop', 'snooze'] : [], autoStop: false };
}

function autoStopReminder(id: string, workstation: string, why: string): Reminder {
  return {
    id,
    kind: 'budget',
    workstation,
    title: `Stopping ${workstation}: budget reached`,
    body: `${why} CloudRig is stopping it, as you asked; raise the budget to keep going.`,
    actions: [],
    autoStop: true,
  };
}

function spentText(input: ReminderInput): string {
  if (input.sessionUsd === null) return 'Its rate is unknown, so what it has cost so far is unknown.';
  if (input.hourlyUsd === null) return `${formatUsd(input.sessionUsd)} so far.`;
  return `${formatUsd(input.sessionUsd)} so far at ${formatHourly(input.hourlyUsd)}.`;
}
