import { describe, expect, it } from 'vitest';
import {
  INITIAL_REMINDER_STATE,
  evaluateReminders,
  snoozeReminders,
  type Reminder,
  type ReminderInput,
  type ReminderState,
} from '../../src/core/reminder-policy.js';
import { RemindersSchema, type Reminders } from '../../src/shared/settings.js';
import { FakeClock } from './support/fake-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RATE = 0.526;

/** Paris in winter: UTC+1. */
const paris = (): number => 60;

/** The app's loop: evaluates every minute, keeps the state, collects what was shown. */
class App {
  state: ReminderState = INITIAL_REMINDER_STATE;
  readonly shown: { at: number; reminder: Reminder }[] = [];
  runningSince: number | null = null;
  idleSince: number | null = null;
  monthBefore = 0;

  constructor(
    readonly clock: FakeClock,
    readonly settings: Reminders = RemindersSchema.parse({ dailyAt: null }),
    readonly localOffsetMinutes: (ms: number) => number = paris,
  ) {}

  input(): ReminderInput {
    const now = this.clock.now();
    const sessionUsd = this.runningSince === null ? 0 : ((now - this.runningSince) / HOUR) * RATE;
    return {
      workstation: 'gpu',
      now,
      runningSince: this.runningSince,
      idleSince: this.idleSince,
      hourlyUsd: RATE,
      sessionUsd,
      monthUsd: this.monthBefore + sessionUsd,
      settings: this.settings,
      localOffsetMinutes: this.localOffsetMinutes,
    };
  }

  tick(): Reminder[] {
    const decision = evaluateReminders(this.state, this.input());
    this.state = decision.state;
    for (const reminder of decision.reminders) this.shown.push({ at: this.clock.now(), reminder });
    return [...decision.reminders];
  }

  /** Ticks once a minute for `ms`. */
  run(ms: number): void {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.tick();
      this.clock.advance(MINUTE);
    }
  }

  shownAtHours(kind: Reminder['kind']): number[] {
    return this.shown.filter((s) => s.reminder.kind === kind).map((s) => (s.at - (this.runningSince ?? 0)) / HOUR);
  }
}

describe('reminder policy', () => {
  it('reminds after 2 hours running, then every hour, with Stop and Snooze', () => {
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'));
    app.runningSince = app.clock.now();
    app.run(4 * HOUR + 30 * MINUTE);

    expect(app.shownAtHours('running')).toEqual([2, 3, 4]);
    const first = app.shown[0]!.reminder;
    expect(first.title).toBe('gpu has been running for 2 h');
    expect(first.body).toContain('$1.05 so far at $0.53/h');
    expect(first.actions).toEqual(['stop', 'snooze']);
    expect(first.autoStop).toBe(false);
  });

  it('honours other afterHours and repeatHours settings', () => {
    const settings = RemindersSchema.parse({ afterHours: 0.5, repeatHours: 0.25, dailyAt: null });
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
    app.runningSince = app.clock.now();
    app.run(HOUR + MINUTE);
    expect(app.shownAtHours('running')).toEqual([0.5, 0.75, 1]);
  });

  it('shows one reminder, not a burst, when the app comes back after hours away', () => {
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'));
    app.runningSince = app.clock.now();
    app.clock.advance(7 * HOUR + 10 * MINUTE);
    expect(app.tick().map((r) => r.title)).toEqual(['gpu has been running for 7 h 10 min']);
    app.run(40 * MINUTE);
    expect(app.shownAtHours('running')).toHaveLength(1);
  });

  it('snooze holds reminders for an hour, then the due one shows', () => {
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'));
    app.runningSince = app.clock.now();
    app.run(2 * HOUR + 30 * MINUTE); // the 2 h reminder shows
    app.state = snoozeReminders(app.state, app.clock.now()); // at 2:30, snooze until 3:30
    app.run(HOUR + 10 * MINUTE);

    expect(app.shownAtHours('running')).toEqual([2, 3.5]);
  });

  it('never shows a reminder twice across a restart that persisted the state', () => {
    const clock = new FakeClock('2026-11-10T09:00:00Z');
    const before = new App(clock);
    before.runningSince = clock.now();
    before.run(2 * HOUR + 5 * MINUTE);
    expect(before.shownAtHours('running')).toEqual([2]);

    // The app quits and starts again, reading its state back from disk.
    const after = new App(clock);
    after.runningSince = before.runningSince;
    after.state = JSON.parse(JSON.stringify(before.state)) as ReminderState;
    after.run(30 * MINUTE);
    expect(after.shown).toEqual([]);
  });

  it('reminds at the daily local time when still running, once, instead of the hourly one', () => {
    // 23:00 in Paris (UTC+1) is 22:00 UTC.
    const settings = RemindersSchema.parse({ dailyAt: '23:00' });
    const app = new App(new FakeClock('2026-11-10T19:00:00Z'), settings);
    app.runningSince = app.clock.now();
    app.run(4 * HOUR + MINUTE);

    const daily = app.shown.filter((s) => s.reminder.kind === 'daily');
    expect(daily.map((s) => new Date(s.at).toISOString())).toEqual(['2026-11-10T22:00:00.000Z']);
    expect(daily[0]!.reminder.body).toContain('It is past 23:00');
    // 2 h after 19:00 is 21:00 UTC (running), 22:00 is the daily one, 23:00 the next hourly.
    expect(app.shown.map((s) => s.reminder.kind)).toEqual(['running', 'daily', 'running']);
  });

  it('follows the local offset it is given (DST or another zone)', () => {
    const settings = RemindersSchema.parse({ dailyAt: '23:00', afterHours: 48 });
    const newYork = (): number => -5 * 60; // 23:00 there is 04:00 UTC
    const app = new App(new FakeClock('2026-11-10T20:00:00Z'), settings, newYork);
    app.runningSince = app.clock.now();
    app.run(10 * HOUR);
    expect(app.shown.map((s) => new Date(s.at).toISOString())).toEqual(['2026-11-11T04:00:00.000Z']);
  });

  it('does not give the daily reminder for a run that started after the daily time', () => {
    const settings = RemindersSchema.parse({ dailyAt: '23:00', afterHours: 48 });
    const app = new App(new FakeClock('2026-11-10T22:30:00Z'), settings); // 23:30 in Paris
    app.runningSince = app.clock.now();
    app.run(3 * HOUR);
    expect(app.shown).toEqual([]);
  });

  it('reminds when the machine has been idle for the configured minutes, once per idle stretch', () => {
    const settings = RemindersSchema.parse({ idleMinutes: 30, afterHours: 48, dailyAt: null });
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
    app.runningSince = app.clock.now();
    app.idleSince = app.clock.now() + 10 * MINUTE;
    app.run(HOUR);
    app.idleSince = null; // someone logged in
    app.run(10 * MINUTE);
    app.idleSince = app.clock.now(); // idle again
    app.run(31 * MINUTE);

    const idle = app.shown.filter((s) => s.reminder.kind === 'idle');
    expect(idle.map((s) => (s.at - app.runningSince!) / MINUTE)).toEqual([40, 100]);
    expect(idle[0]!.reminder.title).toBe('gpu has been idle for 30 min');
    expect(idle[0]!.reminder.body).toContain('$0.53/h');
  });

  it('warns at 80% and at 100% of the monthly budget, once each', () => {
    const settings = RemindersSchema.parse({ monthlyBudgetUsd: 10, afterHours: 48, dailyAt: null });
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
    app.monthBefore = 7; // earlier runs this month
    app.runningSince = app.clock.now();
    app.run(8 * HOUR);

    const budget = app.shown.filter((s) => s.reminder.kind === 'budget');
    expect(budget.map((s) => s.reminder.title)).toEqual(['80% of the monthly budget spent', 'Monthly budget of $10.00 reached']);
    // $7 + 0.526/h crosses $8 after 1.9 h and $10 after 5.7 h.
    expect(budget.map((s) => Math.round(((s.at - app.runningSince!) / HOUR) * 10) / 10)).toEqual([1.9, 5.7]);
    expect(budget.every((s) => !s.reminder.autoStop && s.reminder.actions.includes('stop'))).toBe(true);
  });

  it('stops the workstation at 100% of the monthly budget when the user enabled auto-stop', () => {
    const settings = RemindersSchema.parse({ monthlyBudgetUsd: 10, autoStopAtBudget: true, afterHours: 48, dailyAt: null });
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
    app.monthBefore = 9.9;
    app.runningSince = app.clock.now();
    app.run(HOUR);

    const autoStops = app.shown.filter((s) => s.reminder.autoStop);
    expect(autoStops).toHaveLength(1);
    expect(autoStops[0]!.reminder).toMatchObject({ title: 'Stopping gpu: budget reached', actions: [] });
    expect((autoStops[0]!.at - app.runningSince!) / MINUTE).toBe(12); // 0.1 / 0.526 h
    expect(autoStops[0]!.reminder.body).toContain('of your $10.00 budget');
    // Before it, only the 80% warning (already due at the start); nothing after the stop decision.
    expect(app.shown.map((s) => s.reminder.title)).toEqual(['80% of the monthly budget spent', 'Stopping gpu: budget reached']);
  });

  it('auto-stops again a run started after the monthly cap was reached', () => {
    const settings = RemindersSchema.parse({ monthlyBudgetUsd: 10, autoStopAtBudget: true, afterHours: 48, dailyAt: null });
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
    app.monthBefore = 10.5;
    app.runningSince = app.clock.now();
    expect(app.tick().map((r) => r.autoStop)).toEqual([true]);
    app.runningSince = null; // stopped
    app.run(HOUR);
    app.runningSince = app.clock.now(); // the user starts it again
    expect(app.tick().map((r) => r.autoStop)).toEqual([true]);
  });

  it('warns at 80% and 100% of the per-session cap and auto-stops only when enabled', () => {
    for (const autoStopAtBudget of [false, true]) {
      const settings = RemindersSchema.parse({ sessionBudgetUsd: 1, autoStopAtBudget, afterHours: 48, dailyAt: null });
      const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
      app.runningSince = app.clock.now();
      app.run(3 * HOUR);

      const budget = app.shown.filter((s) => s.reminder.kind === 'budget').map((s) => s.reminder);
      expect(budget.map((r) => r.autoStop)).toEqual([false, autoStopAtBudget]);
      expect(budget[1]!.actions).toEqual(autoStopAtBudget ? [] : ['stop', 'snooze']);
      expect(new Set(budget.map((r) => r.id)).size).toBe(2);
    }
  });

  it('does not snooze budget reminders', () => {
    const settings = RemindersSchema.parse({ sessionBudgetUsd: 1, afterHours: 48, dailyAt: null });
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), settings);
    app.runningSince = app.clock.now();
    app.state = snoozeReminders(app.state, app.clock.now(), 5);
    app.run(2 * HOUR);
    expect(app.shown.map((s) => s.reminder.kind)).toEqual(['budget', 'budget']);
  });

  it('says nothing about a stopped workstation', () => {
    const app = new App(new FakeClock('2026-11-10T09:00:00Z'), RemindersSchema.parse({}));
    app.idleSince = app.clock.now() - 5 * HOUR;
    app.run(26 * HOUR);
    expect(app.shown).toEqual([]);
  });
});
