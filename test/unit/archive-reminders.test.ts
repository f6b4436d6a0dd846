import { describe, expect, it } from 'vitest';
import { INITIAL_REMINDER_STATE, evaluateReminders, type Reminder, type ReminderInput, type ReminderState } from '../../src/core/reminder-policy.js';
import { reminderNotification } from '../../src/core/notification-policy.js';
import { RemindersSchema } from '../../src/shared/settings.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STOPPED_AT = Date.UTC(2026, 11, 1, 18, 0);

/** The app's loop over a stopped box: evaluated every hour for `days`, the state kept, what was shown collected. */
function stoppedFor(days: number, archive: { afterDays?: number; auto?: boolean } = {}): Array<{ at: number; reminder: Reminder }> {
  let state: ReminderState = INITIAL_REMINDER_STATE;
  const shown: Array<{ at: number; reminder: Reminder }> = [];
  for (let now = STOPPED_AT; now <= STOPPED_AT + days * DAY; now += HOUR) {
    const input: ReminderInput = {
      workstation: 'gpu', now, runningSince: null, idleSince: null, hourlyUsd: 0.526, sessionUsd: null, monthUsd: 0,
      settings: RemindersSchema.parse({ dailyAt: null }), localOffsetMinutes: () => 0,
      archive: { stoppedSince: STOPPED_AT, afterDays: archive.afterDays ?? 7, auto: archive.auto ?? false, monthly: { diskUsd: 8, archiveUsd: 5 } },
    };
    const decision = evaluateReminders(state, input);
    state = decision.state;
    shown.push(...decision.reminders.map((reminder) => ({ at: now, reminder })));
  }
  return shown;
}

describe('the reminder about a box left stopped', () => {
  it('offers Archive once, when the box has been stopped for the workstation\'s number of days, saying what the disk costs', () => {
    expect(stoppedFor(6.9)).toEqual([]);
    const shown = stoppedFor(30);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.at).toBe(STOPPED_AT + 7 * DAY);
    expect(shown[0]!.reminder).toMatchObject({
      kind: 'stopped', workstation: 'gpu', actions: ['archive'], autoStop: false,
      title: 'gpu has been stopped for 7 days',
      body: 'Archive it to keep its disk as an image and stop paying for the disk; the next launch starts from the image. Its disk costs $8.00 a month while stopped; archived, at most $5.00.',
    });
    expect(shown[0]!.reminder.autoArchive).toBeUndefined();
    expect(reminderNotification(shown[0]!.reminder).buttons).toEqual([{ id: 'archive', label: 'Archive' }]);
  });

  it('follows the per-workstation number of days', () => {
    const shown = stoppedFor(10, { afterDays: 3 });
    expect(shown.map((s) => (s.at - STOPPED_AT) / DAY)).toEqual([3]);
  });

  it('with automatic archive on: a notice the day before, then the archive a day after the notice, each once', () => {
    const shown = stoppedFor(30, { auto: true });
    expect(shown.map((s) => [(s.at - STOPPED_AT) / DAY, s.reminder.title, s.reminder.autoArchive === true])).toEqual([
      [6, 'gpu will be archived tomorrow', false],
      [7, 'Archiving gpu: stopped for 7 days', true],
    ]);
    expect(shown[0]!.reminder.actions).toEqual(['archive']);
  });

  it('with automatic archive on and the app closed until past the day: the notice first, the archive only a day later', () => {
    let state: ReminderState = INITIAL_REMINDER_STATE;
    const at = (now: number) => {
      const decision = evaluateReminders(state, {
        workstation: 'gpu', now, runningSince: null, idleSince: null, hourlyUsd: null, sessionUsd: null, monthUsd: 0,
        settings: RemindersSchema.parse({ dailyAt: null }), localOffsetMinutes: () => 0,
        archive: { stoppedSince: STOPPED_AT, afterDays: 7, auto: true, monthly: null },
      });
      state = decision.state;
      return decision.reminders.map((r) => r.title);
    };
    expect(at(STOPPED_AT + 12 * DAY)).toEqual(['gpu will be archived tomorrow']);
    expect(at(STOPPED_AT + 12 * DAY + 23 * HOUR)).toEqual([]);
    expect(at(STOPPED_AT + 13 * DAY)).toEqual(['Archiving gpu: stopped for 13 days']);
  });

  it('says nothing while the box is not stopped (or its stop time is unknown)', () => {
    const decision = evaluateReminders(INITIAL_REMINDER_STATE, {
      workstation: 'gpu', now: STOPPED_AT + 30 * DAY, runningSince: null, idleSince: null, hourlyUsd: null, sessionUsd: null, monthUsd: 0,
      settings: RemindersSchema.parse({ dailyAt: null }), localOffsetMinutes: () => 0,
      archive: { stoppedSince: null, afterDays: 7, auto: true, monthly: null },
    });
    expect(decision.reminders).toEqual([]);
  });
});
